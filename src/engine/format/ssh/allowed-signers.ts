import { LicenseBackupError } from '../../errors.js'

/**
 * An OpenSSH `allowed_signers` file (ssh-keygen(1), ALLOWED SIGNERS): one key a line,
 * `principals [options] keytype base64-key [comment]`, `#` comments and blank lines ignored. The
 * options understood are the ones OpenSSH defines: `namespaces="…"`, `valid-after="…"`,
 * `valid-before="…"` and `cert-authority` (a CA line never matches a plain key's signature).
 */
export interface AllowedSigner {
  line: number
  principals: string
  /** The key blob, decoded from the line's base64. */
  publicBlob: Buffer
  namespaces?: string[]
  validAfter?: number
  validBefore?: number
  certAuthority: boolean
}

const KEY_TYPE = /^(ssh-|ecdsa-|sk-|rsa-)/

/** Parses the file's text; CONFIG_INVALID naming `file` and the line for anything it cannot read. */
export function parseAllowedSigners(text: string, file: string): AllowedSigner[] {
  const signers: AllowedSigner[] = []
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\r$/, '').trim()
    if (line === '' || line.startsWith('#')) continue
    const invalid = (problem: string): LicenseBackupError =>
      new LicenseBackupError(
        'CONFIG_INVALID',
        `${file} line ${index + 1} is not an allowed_signers line: ${problem}. Each line is \`principals [options] ssh-ed25519 AAAA…\`.`,
        { file }
      )
    const tokens = tokenize(line)
    if (tokens === undefined) throw invalid('a quote is not closed')
    const [principals, ...rest] = tokens
    if (principals === undefined || rest.length < 2) throw invalid('it has too few fields')
    const signer: AllowedSigner = {
      line: index + 1,
      principals: unquote(principals),
      publicBlob: Buffer.alloc(0),
      certAuthority: false
    }
    if (!KEY_TYPE.test(rest[0]!)) readOptions(rest.shift()!, signer, invalid)
    const [type, key] = rest
    if (type === undefined || key === undefined || !KEY_TYPE.test(type)) throw invalid('it names no key type')
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw invalid('its key is not base64')
    signer.publicBlob = Buffer.from(key, 'base64')
    signers.push(signer)
  }
  return signers
}

/** Splits on blanks outside double quotes; undefined when a quote is left open. */
function tokenize(line: string): string[] | undefined {
  const tokens: string[] = []
  let current = ''
  let quoted = false
  for (const char of line) {
    if (char === '"') quoted = !quoted
    if (!quoted && /\s/.test(char)) {
      if (current !== '') tokens.push(current)
      current = ''
      continue
    }
    current += char
  }
  if (quoted) return undefined
  if (current !== '') tokens.push(current)
  return tokens
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}

function readOptions(
  text: string,
  signer: AllowedSigner,
  invalid: (problem: string) => LicenseBackupError
): void {
  for (const option of splitOptions(text)) {
    const equals = option.indexOf('=')
    const name = (equals < 0 ? option : option.slice(0, equals)).toLowerCase()
    const value = equals < 0 ? '' : unquote(option.slice(equals + 1))
    if (name === 'cert-authority') signer.certAuthority = true
    else if (name === 'namespaces') signer.namespaces = value.split(',').map(ns => ns.trim())
    else if (name === 'valid-after') signer.validAfter = timestamp(value, invalid)
    else if (name === 'valid-before') signer.validBefore = timestamp(value, invalid)
    else throw invalid(`it has the unknown option ${JSON.stringify(name)}`)
  }
}

/** Splits options on commas outside double quotes. */
function splitOptions(text: string): string[] {
  const options: string[] = []
  let current = ''
  let quoted = false
  for (const char of text) {
    if (char === '"') quoted = !quoted
    if (!quoted && char === ',') {
      options.push(current)
      current = ''
      continue
    }
    current += char
  }
  options.push(current)
  return options.filter(option => option !== '')
}

/** `YYYYMMDD[HHMM[SS]][Z]`, read as UTC (ssh-keygen reads it as local time unless it ends in Z). */
function timestamp(value: string, invalid: (problem: string) => LicenseBackupError): number {
  const found = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/.exec(value)
  if (!found) throw invalid(`its time ${JSON.stringify(value)} is not YYYYMMDD[HHMM[SS]][Z]`)
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = found
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
}

/** The line that allows `publicBlob` to sign in `namespace` at `now`, or why none does. */
export function findSigner(
  signers: AllowedSigner[],
  publicBlob: Buffer,
  namespace: string,
  now: number
): { signer: AllowedSigner } | { problem: string } {
  const lines = signers.filter(signer => signer.publicBlob.equals(publicBlob) && !signer.certAuthority)
  if (lines.length === 0) return { problem: 'its key is not in the file' }
  const inNamespace = lines.filter(
    s => s.namespaces === undefined || s.namespaces.some(ns => matches(ns, namespace))
  )
  if (inNamespace.length === 0)
    return {
      problem: `its key is allowed only for other namespaces (line ${lines[0]!.line}), not ${namespace}`
    }
  const valid = inNamespace.find(
    s =>
      (s.validAfter === undefined || now >= s.validAfter) &&
      (s.validBefore === undefined || now < s.validBefore)
  )
  if (!valid)
    return { problem: `its key is outside its valid-after/valid-before time (line ${inNamespace[0]!.line})` }
  return { signer: valid }
}

/** An ssh_config(5) pattern: `*` any run, `?` one character; a leading `!` negates. */
function matches(pattern: string, value: string): boolean {
  if (pattern.startsWith('!')) return false
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`).test(value)
}
