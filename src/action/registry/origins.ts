import { LicenseBackupError } from '../../engine/index.js'
import { isLoopbackHost, type RegistryRepository } from './reference.js'

/**
 * Token servers the registry's own documentation names on another origin than the registry: the only
 * ones besides the registry's origin and the steps file's `token-realms` that receive its credentials.
 */
const DOCUMENTED_REALMS: Record<string, string[]> = {
  'ghcr.io': ['https://ghcr.io'],
  'registry-1.docker.io': ['https://auth.docker.io'],
  'docker.io': ['https://auth.docker.io']
}

/** The origins a registry's credentials may go to as Basic auth to its token server (ADR 0185). */
export function credentialOrigins(
  repository: RegistryRepository,
  origin: string,
  named: string[] = []
): Set<string> {
  const listed = DOCUMENTED_REALMS[repository.host.toLowerCase()] ?? []
  return new Set([origin, ...listed, ...named.map(realm => new URL(realm).origin)])
}

/**
 * The one check every URL the client follows passes (a redirect, a page link, an upload location, a token
 * realm): absolute or relative to `base`, and HTTPS, or HTTP on loopback only. Anything else is refused
 * before a byte goes there.
 */
export function followable(location: string, base: string | URL, host: string, why: string): URL {
  let target: URL
  try {
    target = new URL(location, base)
  } catch {
    throw new LicenseBackupError(
      'SERVICE_ERROR',
      `The registry ${host} ${why} "${printable(location)}", which is not a URL; check the registry.`
    )
  }
  const plain = target.protocol === 'http:' && !isLoopbackHost(target.host)
  if (plain || (target.protocol !== 'https:' && target.protocol !== 'http:')) {
    throw new LicenseBackupError(
      'SERVICE_ERROR',
      `The registry ${host} ${why} ${printable(target.origin)}, which is not HTTPS; refusing to go there.`,
      { url: target.origin }
    )
  }
  return target
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)
}
