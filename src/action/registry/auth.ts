/** The `WWW-Authenticate` challenges of a registry (RFC 9110 §11.6.1) and the token request of the
 * distribution spec's token auth (realm, service, scope). */
export interface Challenge {
  /** Lower case: `basic`, `bearer`. */
  scheme: string
  params: Record<string, string>
}

/**
 * Parses every challenge of a `WWW-Authenticate` value. Parameter values may be quoted strings holding
 * commas (`scope="repository:a/b:pull,push"`), so this reads token by token rather than splitting.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = []
  const token = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y
  let i = 0
  const skip = (chars: RegExp): void => {
    while (i < header.length && chars.test(header[i] ?? '')) i++
  }
  while (i < header.length) {
    skip(/[\s,]/)
    token.lastIndex = i
    const word = token.exec(header)
    if (!word) break
    i = token.lastIndex
    skip(/\s/)
    if (header[i] !== '=') {
      challenges.push({ scheme: word[0].toLowerCase(), params: {} })
      continue
    }
    i++
    skip(/\s/)
    const value = header[i] === '"' ? quoted() : bare()
    const current = challenges.at(-1)
    if (current) current.params[word[0].toLowerCase()] = value
  }
  return challenges

  function quoted(): string {
    let value = ''
    for (i++; i < header.length && header[i] !== '"'; i++) {
      if (header[i] === '\\') i++
      value += header[i] ?? ''
    }
    i++
    return value
  }
  function bare(): string {
    const start = i
    while (i < header.length && !/[\s,]/.test(header[i] ?? '')) i++
    return header.slice(start, i)
  }
}

export interface RegistryCredentials {
  username: string
  password: string
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
}

/** The token URL for a Bearer challenge, asking for every scope this client has needed so far. */
export function tokenUrl(challenge: Challenge, scopes: Iterable<string>): URL {
  const url = new URL(challenge.params['realm'] ?? '')
  if (challenge.params['service']) url.searchParams.set('service', challenge.params['service'])
  for (const scope of scopes) url.searchParams.append('scope', scope)
  return url
}

/** The scopes a challenge asks for: `scope` may list several, separated by spaces. */
export function challengeScopes(challenge: Challenge): string[] {
  return (challenge.params['scope'] ?? '').split(' ').filter(scope => scope !== '')
}

/** A token answer: `{ token }` or `{ access_token }` (OAuth 2 style); anything else is not one. */
export function tokenFromAnswer(text: string): string | undefined {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof body !== 'object' || body === null) return undefined
  const { token, access_token: accessToken } = body as { token?: unknown; access_token?: unknown }
  const value = typeof token === 'string' && token !== '' ? token : accessToken
  return typeof value === 'string' && /^[\x21-\x7e]+$/.test(value) ? value : undefined
}
