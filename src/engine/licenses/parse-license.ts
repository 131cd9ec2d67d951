// Parsing a license's text, and nothing else: no error objects. A read pool's worker thread runs this
// module from its TypeScript source (ADR 0140), so it imports nothing of the project (ADR 0217);
// license.ts turns a problem into the INVALID_LICENSE that names the file.
/** The signature algorithms a license may use (docs/format.md). `EdDSA` only with an Ed25519 key. */
export const LICENSE_ALGORITHMS = ['Ed25519', 'EdDSA', 'ES256'] as const
export type LicenseAlgorithm = (typeof LICENSE_ALGORITHMS)[number]

export interface LicenseHeader {
  alg: LicenseAlgorithm
  kid: string
  [name: string]: unknown
}

/** The claims this tool reads. Any other claim, and every right but `backup`, is kept as it is. */
export interface LicenseClaims {
  jti: string
  key_id: string
  iss: string
  iat: number
  nbf?: number
  exp?: number
  sub?: string
  rights: Record<string, unknown>
  cnf?: { jkt?: string; [name: string]: unknown }
  /**
   * Present on a copy the license service re-issued: its `exp` is a lease, and `license_exp` the license's
   * own end (absent: the license never ends). docs/format.md, ADR 0170.
   */
  lease?: { license_exp?: number; [name: string]: unknown }
  [name: string]: unknown
}

export interface License {
  /** Where the license came from, as the user knows it (store-relative path, or a description). */
  file: string
  /** The compact JWS as read, surrounding whitespace removed. */
  text: string
  header: LicenseHeader
  claims: LicenseClaims
  jti: string
  keyId: string
  /** `rights.backup` is not `true` (absent means false): the owner does not allow a backup. */
  restricted: boolean
}

const BASE64URL = /^[A-Za-z0-9_-]*$/

/** What is wrong with a license's text, and its IDs once they are known. */
export interface LicenseProblem {
  problem: string
  keyId?: string
  licenseId?: string
}

/** A thrown problem, so the checks below can stop at the first one. */
class Invalid extends Error {
  readonly found: LicenseProblem
  // No parameter property: a read pool's thread runs this file by stripping its types (ADR 0217).
  constructor(found: LicenseProblem) {
    super(found.problem)
    this.found = found
  }
}

function invalid(problem: string, ids: { keyId?: string; licenseId?: string } = {}): never {
  throw new Invalid({ problem, ...ids })
}

/**
 * Parses a compact JWS license and checks its claims (docs/format.md), returning the license or what is
 * wrong with it. Does not verify the signature.
 */
export function readLicenseText(text: string, file: string): License | LicenseProblem {
  try {
    return parseOrThrow(text, file)
  } catch (error) {
    if (error instanceof Invalid) return error.found
    throw error
  }
}

function parseOrThrow(text: string, file: string): License {
  const compact = text.trim()
  const parts = compact.split('.')
  if (parts.length !== 3 || parts.some(part => part.length === 0)) {
    invalid('it is not a compact JWS (three base64url parts separated by dots)')
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]
  checkBase64url(headerPart, 'header')
  checkBase64url(payloadPart, 'payload')
  checkBase64url(signaturePart, 'signature')
  const header = checkedHeader(headerPart)
  const claims = decodeJsonObject(payloadPart, 'payload')
  const problem = claimProblem(claims)
  if (problem) {
    invalid(problem, {
      ...(typeof claims['key_id'] === 'string' ? { keyId: claims['key_id'] } : {}),
      ...(typeof claims['jti'] === 'string' ? { licenseId: claims['jti'] } : {})
    })
  }
  const checked = claims as LicenseClaims
  return {
    file,
    text: compact,
    header,
    claims: checked,
    jti: checked.jti,
    keyId: checked.key_id,
    restricted: checked.rights['backup'] !== true
  }
}

function checkBase64url(part: string, what: string): void {
  if (!BASE64URL.test(part) || part.length % 4 === 1) invalid(`its ${what} is not base64url`)
}

/**
 * The licenses of a store are mostly signed by one key, so their headers are the same text: a checked
 * header is kept by its base64url text and shared, frozen, between the licenses that carry it (ADR 0051).
 */
const headers = new Map<string, LicenseHeader>()
const MAX_CACHED_HEADERS = 256

function checkedHeader(headerPart: string): LicenseHeader {
  const cached = headers.get(headerPart)
  if (cached !== undefined) return cached
  const header = decodeJsonObject(headerPart, 'header')
  const alg = header['alg']
  if (typeof alg !== 'string' || !(LICENSE_ALGORITHMS as readonly string[]).includes(alg)) {
    invalid(`its header alg ${describe(alg)} is not one of ${LICENSE_ALGORITHMS.join(', ')}`)
  }
  const kid = header['kid']
  if (typeof kid !== 'string' || kid.length === 0) invalid('its header has no kid (signing key ID)')
  if (headers.size >= MAX_CACHED_HEADERS) headers.clear()
  const checked = Object.freeze(header) as LicenseHeader
  headers.set(headerPart, checked)
  return checked
}

/** What is wrong with the claims, or undefined when they are well-typed (docs/format.md). */
function claimProblem(claims: Record<string, unknown>): string | undefined {
  if (!nonEmptyString(claims['jti'])) return 'its jti (license ID) claim is missing or not a string'
  if (!nonEmptyString(claims['key_id'])) return 'its key_id (content key ID) claim is missing or not a string'
  const iss = claims['iss']
  if (!nonEmptyString(iss) || !URL.canParse(iss)) return 'its iss (issuer) claim is missing or not a URL'
  if (!finiteNumber(claims['iat'])) return 'its iat (issued at) claim is missing or not a number'
  for (const name of ['nbf', 'exp']) {
    if (claims[name] !== undefined && !finiteNumber(claims[name])) return `its ${name} claim is not a number`
  }
  if (claims['sub'] !== undefined && typeof claims['sub'] !== 'string') return 'its sub claim is not a string'
  if (!isObject(claims['rights'])) return 'its rights claim is missing or not an object'
  const backup = claims['rights']['backup']
  if (backup !== undefined && typeof backup !== 'boolean') return 'its rights.backup is not a boolean'
  const cnf = claims['cnf']
  if (cnf !== undefined) {
    if (!isObject(cnf)) return 'its cnf claim is not an object'
    if (cnf['jkt'] !== undefined && !nonEmptyString(cnf['jkt'])) return 'its cnf.jkt is not a string'
  }
  return leaseProblem(claims['lease'])
}

function leaseProblem(lease: unknown): string | undefined {
  if (lease === undefined) return undefined
  if (!isObject(lease)) return 'its lease claim is not an object'
  const end = lease['license_exp']
  if (end !== undefined && !finiteNumber(end)) return 'its lease.license_exp is not a number'
  return undefined
}

function decodeJsonObject(part: string, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    invalid(`its ${what} is not base64url-encoded JSON`)
  }
  if (!isObject(value)) invalid(`its ${what} is not a JSON object`)
  return value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

function finiteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 32)) : String(typeof value)
}
