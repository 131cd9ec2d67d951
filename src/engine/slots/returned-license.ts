import { isDeepStrictEqual } from 'node:util'
import { LicenseBackupError } from '../errors.js'
import { parseLicense } from '../licenses/license.js'
import type { ServiceOptions, LicenseTrustOptions } from '../api.js'
import { createVerifier, type LicenseVerifier } from '../licenses/verifier.js'
import type { CheckLicense } from '../service/index.js'
import type { LeaseTracker } from './lease.js'
import { message } from '../message.js'

export interface ReturnedLicenseCheck {
  /** The service's URL, for messages. */
  url: string
  verifier: LicenseVerifier
  /** Checks each copy's lease against the answer and counts the copies the run writes. */
  leases: LeaseTracker
  operation: 'restore' | 'renew'
}

/**
 * The check every copy the service re-issues (a restore's or a renewal's) passes before it is staged
 * (docs/format.md: verified after it is restored): the claims, then the signature, on the verify pool. The
 * client starts a whole answer's checks before it awaits any, so they reach the pool together (ADR 0052).
 */
export function returnedLicenseCheck(check: ReturnedLicenseCheck): CheckLicense {
  return async (jws, expected) => {
    const where = `the license ${expected.jti} returned by ${check.url}`
    const license = parseLicense(jws, where)
    const problems: string[] = []
    if (license.jti !== expected.jti) problems.push(`its license ID is ${license.jti}`)
    if (license.keyId !== expected.key_id)
      problems.push(`its key ID is ${license.keyId}, not ${expected.key_id}`)
    if (!isDeepStrictEqual(license.claims.rights, expected.rights))
      problems.push(
        `its rights differ from the ${check.operation === 'restore' ? 'backed-up license' : 'copy sent'}`
      )
    if (license.claims.cnf?.jkt !== expected.machineId)
      problems.push('it is not bound to this machine (cnf.jkt)')
    const lease = check.leases.problem(license, expected.leaseExpires)
    if (lease) problems.push(lease)
    if (problems.length > 0) {
      throw new LicenseBackupError(
        'SERVICE_ERROR',
        message`The license service answered with a wrong license for ${expected.jti}: ${problems.join('; ')}. ${check.operation === 'restore' ? 'Nothing was restored' : 'It was not written'}; report this to the service's operator.`,
        { url: check.url, licenseId: expected.jti, keyId: expected.key_id }
      )
    }
    await check.verifier.verify(license)
    check.leases.add(license)
  }
}

/**
 * The verifier of a run that talks to the service: it always has one, so licenses are always verified, by
 * the configured trust source or else by the service's own JWKS. Pooled: a run may check many.
 */
export async function serviceVerifier(
  options: { trust?: LicenseTrustOptions | undefined; service: ServiceOptions },
  signal: AbortSignal | undefined,
  operation: string
): Promise<LicenseVerifier> {
  const trust =
    options.trust && Object.keys(options.trust).length > 0
      ? options.trust
      : { serviceUrl: options.service.url }
  return createVerifier(trust, { ...(signal ? { signal } : {}), operation, pooled: true })
}
