import { compactVerify, type JWK } from 'jose'
import type { KeyObject } from 'node:crypto'
import { TrustedKeys } from '@license-backup/protocol/jws/key-choice'
import type { LicenseTrustOptions } from '../api.js'
import { cancelled, LicenseBackupError } from '../errors.js'
import { InputFileError, readInputFile } from '../io/input-file.js'
import { option } from '../options.js'
import { VerifyPool } from '../verify-pool/pool.js'
import { invalidLicense, type License } from './license.js'
import { message } from '../message.js'

/** Checks a license's signature against the trust source's keys. */
export interface LicenseVerifier {
  /** False when no trust source is configured: `verify` then checks nothing. */
  readonly verifying: boolean
  /** Where the keys came from (a file or URL), for messages; undefined without trust. */
  readonly source: string | undefined
  /** Resolves when the signature is valid; throws INVALID_LICENSE naming the file and key otherwise. */
  verify(license: License): Promise<void>
  /** Stops the worker threads of a pooled verifier. Safe to call on any verifier. */
  close(): Promise<void>
  /** The trusted keys, for checks made on other threads (a backup's read pool, ADR 0217); none without trust. */
  readonly keys: readonly JWK[]
  /**
   * The INVALID_LICENSE of a license whose check failed on another thread: no key of the trust source
   * verifies it (which one, and why), or its signature does not verify.
   */
  failure(license: CheckedLicense): LicenseBackupError
}

/** What `failure` needs of a license. */
export type CheckedLicense = Pick<License, 'file' | 'header' | 'jti' | 'keyId'>

export interface VerifierOptions {
  signal?: AbortSignal
  /** Timeout for fetching a remote JWKS, ms. Default 10 s. */
  timeoutMs?: number
  /** Names the operation in a cancellation message. */
  operation?: string
  /** Check signatures on a pool of worker threads (ADR 0005), for runs over many licenses. */
  pooled?: boolean
}

export const NOT_VERIFIED_WARNING = message`Licenses are not verified: no trust source is configured; give one in ${option('trust')} to verify every license before it is backed up or restored.`

/**
 * Builds a verifier from a trust source (docs/format.md): a JWKS file, a JWKS URL, or the service's
 * `/.well-known/jwks.json`. A remote JWKS is fetched once, here, so one run sees one key set.
 * Without a trust source the verifier checks nothing; the caller warns once (NOT_VERIFIED_WARNING).
 */
export async function createVerifier(
  trust: LicenseTrustOptions | undefined,
  options: VerifierOptions = {}
): Promise<LicenseVerifier> {
  const loaded = await loadJwks(trust, options)
  if (!loaded) {
    return {
      verifying: false,
      source: undefined,
      verify: async () => {},
      close: async () => {},
      keys: [],
      failure: license => invalidLicense(license.file, 'it was not checked: no trust source is configured')
    }
  }
  return keySetVerifier(
    loaded.jwks,
    loaded.source,
    options.pooled ? new VerifyPool(loaded.jwks.keys) : undefined
  )
}

/**
 * A verifier over a JWKS already in hand (the reference service and tests use it too). The key is chosen
 * by packages/protocol/src/jws/key-choice.ts (ADR 0181), the same rule the pool's threads and the service
 * follow.
 */
export function keySetVerifier(jwks: { keys: JWK[] }, source: string, pool?: VerifyPool): LicenseVerifier {
  const trusted = new TrustedKeys(jwks.keys)
  const keyFor = (license: CheckedLicense): KeyObject => {
    const { kid, alg } = license.header
    const choice = trusted.choose(alg, kid)
    if ('key' in choice) return choice.key
    throw invalidLicense(
      license.file,
      refusal(choice.refused, choice.candidates, license, jwks, source),
      ids(license)
    )
  }
  const badSignature = (license: CheckedLicense, cause?: unknown): LicenseBackupError =>
    invalidLicense(
      license.file,
      `its signature does not verify with key ${JSON.stringify(license.header.kid)} from ${source}`,
      ids(license),
      cause
    )
  return {
    verifying: true,
    source,
    close: async () => pool?.close(),
    keys: jwks.keys,
    failure: license => {
      try {
        keyFor(license)
      } catch (error) {
        if (error instanceof LicenseBackupError) return error
        throw error
      }
      return badSignature(license)
    },
    verify: async license => {
      const key = keyFor(license)
      if (pool) {
        const { signingInput, signature } = splitCompact(license.text)
        const ok = await pool.verify({
          kid: license.header.kid,
          alg: license.header.alg,
          signingInput,
          signature
        })
        if (!ok) throw badSignature(license)
        return
      }
      try {
        // jose checks the header (crit, b64) and the signature with the key chosen above.
        await compactVerify(license.text, key, { algorithms: [license.header.alg] })
      } catch (error) {
        throw badSignature(license, error)
      }
    }
  }
}

/** Why no key verifies `license`, for INVALID_LICENSE. */
function refusal(
  refused: string,
  candidates: number,
  license: CheckedLicense,
  jwks: { keys: JWK[] },
  source: string
): string {
  const { kid, alg } = license.header
  if (refused === 'no-key')
    return `it is signed with key ${JSON.stringify(kid)}, which ${source} does not hold; check the trust source is the issuer's`
  if (refused === 'ambiguous')
    return `${candidates} keys in ${source} have the kid ${JSON.stringify(kid)} and fit its alg ${alg}; a key ID must name one key: give each key its own kid`
  if (refused === 'unusable')
    return `key ${JSON.stringify(kid)} in ${source} is not a public key Node can read; fix the trust source`
  const held = jwks.keys
    .filter(key => key.kid === kid)
    .map(key => `kty ${String(key.kty)}, crv ${String(key.crv)}, alg ${String(key.alg)}`)
    .join('; ')
  return `its alg ${alg} does not match key ${JSON.stringify(kid)} in ${source} (${held})`
}

function splitCompact(text: string): { signingInput: string; signature: string } {
  const dot = text.lastIndexOf('.')
  return { signingInput: text.slice(0, dot), signature: text.slice(dot + 1) }
}

function ids(license: CheckedLicense): { keyId: string; licenseId: string } {
  return { keyId: license.keyId, licenseId: license.jti }
}

async function loadJwks(
  trust: LicenseTrustOptions | undefined,
  options: VerifierOptions
): Promise<{ jwks: { keys: JWK[] }; source: string } | undefined> {
  if (trust?.jwksFile) {
    const file = trust.jwksFile
    let text: string
    try {
      text = await readInputFile(file)
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error
      throw new LicenseBackupError(
        'CONFIG_INVALID',
        message`The trust JWKS file ${file} ${error.reason}; check ${option('trust.jwksFile')}.`,
        { file, cause: error }
      )
    }
    return { jwks: checkJwks(text, file, 'file'), source: file }
  }
  const url = trust?.jwksUrl ?? (trust?.serviceUrl ? jwksUrlOf(trust.serviceUrl) : undefined)
  if (!url) return undefined
  const text = await fetchText(url, options)
  return { jwks: checkJwks(text, url, 'url'), source: url }
}

/** The service's JWKS address: `<serviceUrl>/.well-known/jwks.json`, keeping any base path. */
export function jwksUrlOf(serviceUrl: string): string {
  return `${serviceUrl.replace(/\/+$/, '')}/.well-known/jwks.json`
}

async function fetchText(url: string, options: VerifierOptions): Promise<string> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  let response: Response
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/json' } })
  } catch (error) {
    if (options.signal?.aborted) throw cancelled(options.operation ?? 'run')
    const why = timeout.aborted ? 'timed out' : 'failed'
    throw new LicenseBackupError(
      'SERVICE_UNAVAILABLE',
      message`Fetching the trust JWKS from ${url} ${why}; check the URL and that the service is reachable, then run again.`,
      { url, cause: error }
    )
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw new LicenseBackupError(
      response.status >= 500 ? 'SERVICE_UNAVAILABLE' : 'CONFIG_INVALID',
      `Fetching the trust JWKS from ${url} answered HTTP ${response.status}; check the trust URL.`,
      { url }
    )
  }
  return response.text()
}

function checkJwks(text: string, where: string, kind: 'file' | 'url'): { keys: JWK[] } {
  const bad = (why: string): LicenseBackupError =>
    new LicenseBackupError(
      'CONFIG_INVALID',
      message`The trust JWKS ${where} ${why}; it must be a JSON Web Key Set {"keys": [...]}.`,
      {
        ...(kind === 'file' ? { file: where } : { url: where })
      }
    )
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw bad('is not JSON')
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw bad('has no "keys" array')
  }
  const keys = (value as { keys: unknown[] }).keys
  if (keys.some(key => typeof key !== 'object' || key === null || Array.isArray(key)))
    throw bad('has a key that is not an object')
  return { keys: keys as JWK[] }
}
