import { LicenseBackupError, type ErrorCode } from '../errors.js'
import type { EngineEvent } from '../events.js'
import type { RefusedOutcome } from './client.js'

/** The error code a refusal reason stands for: `restore-limit` is RESTORE_LIMIT (NS_E_DRM_RESTORE_FRAUD). */
export function refusalCode(reason: string): ErrorCode {
  if (reason === 'restore-limit') return 'RESTORE_LIMIT'
  // The token's account at the service is not the one the license was issued to.
  if (reason === 'not-yours') return 'UNAUTHORIZED'
  // `released` (a renewal): this machine gave the license back, so its copy can no longer be renewed.
  if (['revoked', 'expired', 'invalid-signature', 'invalid-license', 'released'].includes(reason))
    return 'INVALID_LICENSE'
  return 'SERVICE_ERROR'
}

/** The operation a refusal answers: a restore, or a renewal of this machine's lease copies (protocol v1.2). */
export type RefusedIn = 'restore' | 'renew'

/** What to tell the user about one refusal. `title` comes from the catalog when it knows the key. */
export function refusalMessage(
  refused: RefusedOutcome,
  title?: string,
  refusedIn: RefusedIn = 'restore'
): string {
  const which = title
    ? `"${title}" (key ID ${refused.key_id}, license ${refused.jti})`
    : `License ${refused.jti} (key ID ${refused.key_id})`
  const see = refused.url ? ` See ${refused.url}` : ''
  const done = refusedIn === 'restore' ? 'restored' : 'renewed'
  switch (refused.reason) {
    case 'restore-limit':
      return refusedIn === 'restore'
        ? `${which} cannot be restored onto this machine: it is already on as many machines as its issuer allows.${see}`
        : `${which} cannot be renewed: its lease on this machine ran out, and it is now on as many other machines as its issuer allows.${see}`
    case 'released':
      return `${which} cannot be renewed: this machine gave the license back (a release), so its copy keeps only the lease it has. Restore it to take a slot again.${see}`
    case 'revoked':
      return `${which} was revoked by its issuer and cannot be ${done}.${see}`
    case 'expired':
      return `${which} has expired and cannot be ${done}.${see}`
    case 'not-yours':
      return `${which} belongs to another account at the license service: restore it with a service token of the account it was issued to.${see}`
    case 'invalid-signature':
    case 'invalid-license':
      return `${which} was not accepted by the license service (${refused.reason}): the backup holds a license its issuer did not sign.${see}`
    default:
      return `${which} was refused by the license service (${refused.reason}).${see}`
  }
}

/** An ERROR_WITH_URL event (WMT_ERROR_WITHURL) for a refusal that carries a URL. */
export function refusalEvent(
  refused: RefusedOutcome,
  title?: string,
  refusedIn: RefusedIn = 'restore'
): EngineEvent | undefined {
  if (!refused.url) return undefined
  return {
    type: 'ERROR_WITH_URL',
    code: refusalCode(refused.reason),
    message: refusalMessage(refused, title, refusedIn),
    url: refused.url,
    licenseId: refused.jti,
    keyId: refused.key_id
  }
}

/**
 * The one error a restore with refusals fails with: RESTORE_LIMIT when any license is past the limit,
 * else the code of the first refusal. Lists up to five refusals and counts the rest. A renewal's (`renewed`:
 * how many copies it did renew and write) says so, since its refusals come after those.
 */
export function refusalError(
  refused: RefusedOutcome[],
  titleOf: (keyId: string) => string | undefined = () => undefined,
  renewed?: number
): LicenseBackupError {
  const first = refused[0]
  if (!first) throw new RangeError('refusalError needs at least one refusal')
  const limited = refused.find(r => r.reason === 'restore-limit')
  const code = limited ? 'RESTORE_LIMIT' : refusalCode(first.reason)
  const lead = limited ?? first
  const refusedIn: RefusedIn = renewed === undefined ? 'restore' : 'renew'
  const lines = refused.slice(0, 5).map(r => refusalMessage(r, titleOf(r.key_id), refusedIn))
  const more = refused.length > 5 ? ` And ${refused.length - 5} more.` : ''
  const outcome =
    renewed === undefined ? 'nothing was restored' : `the other ${renewed} license(s) were renewed`
  const message =
    refused.length === 1
      ? `${lines[0]} ${outcome.charAt(0).toUpperCase()}${outcome.slice(1)}.`
      : `The license service refused ${refused.length} licenses; ${outcome}. ${lines.join(' ')}${more}`
  return new LicenseBackupError(code, message, {
    licenseId: lead.jti,
    keyId: lead.key_id,
    ...(lead.url ? { url: lead.url } : {})
  })
}
