/** A repository in an OCI registry, and a reference to one manifest in it (`…:tag` or `…@sha256:…`). */
export interface RegistryRepository {
  /** `ghcr.io`, `127.0.0.1:5000`: host and optional port. */
  host: string
  /** `https`, or `http` for a loopback registry written `http://…`. */
  scheme: 'https' | 'http'
  /** The repository's path, `acme/license-backups`. */
  name: string
}

export interface RegistryReference extends RegistryRepository {
  tag?: string
  digest?: string
}

/** Thrown for a repository or reference that cannot be used; the caller adds where it was written. */
export class RegistryReferenceError extends Error {
  override name = 'RegistryReferenceError'
}

// The distribution spec's grammar: lower-case path components separated by `.`, `_`, `__` or dashes.
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
const DIGEST = /^sha256:[a-f0-9]{64}$/
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/

export function isTag(text: string): boolean {
  return TAG.test(text)
}

export function isDigest(text: string): boolean {
  return DIGEST.test(text)
}

/** `127.0.0.1`, `localhost` and `[::1]`, with any port: the only hosts plain HTTP may reach. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]'
}

/**
 * Reads `ghcr.io/acme/license-backups` (optionally `https://…`, or `http://…` for a loopback registry).
 * The registry host is always written out: there is no default registry to guess.
 */
export function parseRepository(text: string): RegistryRepository {
  const { scheme, rest } = splitScheme(text.trim())
  const slash = rest.indexOf('/')
  if (slash <= 0) {
    throw new RegistryReferenceError(
      `"${text}" names no registry host: write the repository in full, e.g. ghcr.io/acme/license-backups.`
    )
  }
  const host = rest.slice(0, slash)
  const name = rest.slice(slash + 1)
  if (!HOST.test(host))
    throw new RegistryReferenceError(`"${host}" is not a registry host name (in "${text}").`)
  if (scheme === 'http' && !isLoopbackHost(host)) {
    throw new RegistryReferenceError(
      `"${text}" uses plain HTTP to a registry that is not on this machine: use https:// (plain HTTP is allowed only for 127.0.0.1 and localhost).`
    )
  }
  if (name === '' || !name.split('/').every(part => COMPONENT.test(part))) {
    throw new RegistryReferenceError(
      `"${name}" is not a repository name (in "${text}"): use lower-case letters, digits, and . _ - between them, with / between path parts.`
    )
  }
  return { host, scheme, name }
}

/** Reads `ghcr.io/acme/license-backups:nightly` or `…@sha256:<64 hex>`. */
export function parseReference(text: string): RegistryReference {
  const trimmed = text.trim()
  const at = trimmed.indexOf('@')
  if (at >= 0) {
    const digest = trimmed.slice(at + 1)
    if (!isDigest(digest)) {
      throw new RegistryReferenceError(
        `"${digest}" is not a manifest digest (in "${text}"): write sha256: followed by 64 lower-case hex digits.`
      )
    }
    return { ...parseRepository(trimmed.slice(0, at)), digest }
  }
  const lastSlash = trimmed.lastIndexOf('/')
  const colon = trimmed.lastIndexOf(':')
  if (colon <= lastSlash) {
    throw new RegistryReferenceError(
      `"${text}" names no tag or digest: add one, e.g. ${trimmed}:nightly or ${trimmed}@sha256:….`
    )
  }
  const tag = trimmed.slice(colon + 1)
  if (!isTag(tag)) {
    throw new RegistryReferenceError(
      `"${tag}" is not a tag (in "${text}"): up to 128 letters, digits, _ . and -, not starting with . or -.`
    )
  }
  return { ...parseRepository(trimmed.slice(0, colon)), tag }
}

function splitScheme(text: string): { scheme: 'https' | 'http'; rest: string } {
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)
  if (!match) return { scheme: 'https', rest: text }
  const scheme = (match[1] ?? '').toLowerCase()
  if (scheme !== 'https' && scheme !== 'http') {
    throw new RegistryReferenceError(`"${text}" uses ${scheme}://: a registry is reached over https:// only.`)
  }
  return { scheme, rest: text.slice(match[0].length) }
}

/** `ghcr.io/acme/license-backups`, as a user writes it (the scheme only when it is not https). */
export function repositoryText(repository: RegistryRepository): string {
  return `${repository.scheme === 'http' ? 'http://' : ''}${repository.host}/${repository.name}`
}

export function referenceText(reference: RegistryReference): string {
  if (reference.digest) return `${repositoryText(reference)}@${reference.digest}`
  return `${repositoryText(reference)}:${reference.tag ?? ''}`
}

export function registryOrigin(repository: RegistryRepository): string {
  return `${repository.scheme}://${repository.host}`
}
