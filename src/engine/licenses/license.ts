import { LicenseBackupError } from '../errors.js'
import { message } from '../message.js'
import { readLicenseText, type License } from './parse-license.js'

export {
  LICENSE_ALGORITHMS,
  type License,
  type LicenseAlgorithm,
  type LicenseClaims,
  type LicenseHeader
} from './parse-license.js'

const FIX = 'Replace it with the license as issued, or move it out of the store.'

/**
 * Parses a compact JWS license and checks its claims (docs/format.md). Does not verify the signature: that is
 * `createVerifier`'s job. Throws INVALID_LICENSE naming `file` and, once known, the key ID and license ID.
 */
export function parseLicense(text: string, file: string): License {
  const read = readLicenseText(text, file)
  if ('problem' in read) throw invalidLicense(file, read.problem, read)
  return read
}

/** INVALID_LICENSE naming the file and, when known, the key ID and license ID. */
export function invalidLicense(
  file: string,
  problem: string,
  ids: { keyId?: string; licenseId?: string } = {},
  cause?: unknown
): LicenseBackupError {
  const known = [
    ids.keyId === undefined ? undefined : `key ID ${ids.keyId}`,
    ids.licenseId === undefined ? undefined : `license ID ${ids.licenseId}`
  ].filter(Boolean)
  const where = known.length > 0 ? `${file} (${known.join(', ')})` : file
  return new LicenseBackupError(
    'INVALID_LICENSE',
    message`${where} is not a valid license: ${problem}. ${FIX}`,
    {
      file,
      ...ids,
      ...(cause === undefined ? {} : { cause })
    }
  )
}
