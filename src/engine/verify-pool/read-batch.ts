// A batch of a backup's licenses read, parsed, hashed and (with trust) checked on one thread (ADR 0217).
// A pool's worker thread runs this module from its TypeScript source (ADR 0140), so it imports of the
// project only modules that import nothing of the project but such modules, by their `.ts` names.
import { hash } from 'node:crypto'
import { join, sep } from 'node:path'
import type { JWK } from 'jose'
import { TrustedKeys } from '@license-backup/protocol/jws/key-choice'
import { verifySignature } from '@license-backup/protocol/jws/signature'
import { readLicenseText, type LicenseHeader, type LicenseProblem } from '../licenses/parse-license.ts'
import {
  nodeFileSystem,
  readLicenseInto,
  type LicenseFileSystem,
  type ReadFailure
} from '../store/read-file.ts'

/** A license read, parsed and checked: what the pack and its index need of it (its bytes are in the batch). */
export interface ReadLicense {
  jti: string
  keyId: string
  restricted: boolean
  /** The SHA-256 of its bytes, hex. */
  sha256: string
}

/** A license whose signature check failed: no trusted key for its header, or a bad signature. */
export interface FailedCheck {
  failure: 'signature'
  header: LicenseHeader
  jti: string
  keyId: string
}

/** What became of one path of a batch, in the batch's order. */
export type ReadRecord = ReadLicense | ReadFailure | LicenseProblem | FailedCheck

/** A batch's answer: every license's bytes in one buffer (transferred), where each starts and its size. */
export interface ReadReply {
  bytes: Uint8Array<ArrayBuffer>
  /** Two numbers a path: the offset of its bytes in `bytes`, and their length (0 when it failed). */
  spans: Int32Array<ArrayBuffer>
  records: ReadRecord[]
}

/** How a batch is read: the store, the keys that check signatures (none: no check), the file system. */
export interface BatchReader {
  store: string
  /** The store's path and a separator: a license's path is this and its store-relative path, no join. */
  prefix: string
  trusted: TrustedKeys | undefined
  fileSystem: LicenseFileSystem
}

export function batchReader(
  store: string,
  keys: readonly JWK[] | undefined,
  fileSystem: LicenseFileSystem = nodeFileSystem
): BatchReader {
  return {
    store,
    // The walk's paths are `/`-separated and clean (no `.`, `..` or empty segment): `join` would only
    // normalise them again, ~3 µs a file.
    prefix: join(store, sep),
    trusted: keys && keys.length > 0 ? new TrustedKeys(keys) : undefined,
    fileSystem
  }
}

/** A first guess at a batch's bytes: licenses are ~700 bytes; the buffer doubles when they are more. */
const BYTES_A_PATH = 1024

/**
 * Reads the store-relative `paths` in order, each license into one buffer: read (O_NOFOLLOW, regular files
 * under the size cap), parsed, its SHA-256 taken, its signature checked when the reader has keys. A path
 * that fails gets its failure as its record, and the batch goes on: the caller reports failures in path
 * order, the first one first.
 */
export function readBatch(reader: BatchReader, paths: readonly string[]): ReadReply {
  let bytes = Buffer.allocUnsafe(Math.max(BYTES_A_PATH, paths.length * BYTES_A_PATH))
  let used = 0
  const room = (size: number): { buffer: Uint8Array; offset: number } => {
    if (used + size > bytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(2 * bytes.length, used + size))
      bytes.copy(larger, 0, 0, used)
      bytes = larger
    }
    return { buffer: bytes, offset: used }
  }
  const spans = new Int32Array(2 * paths.length)
  const records = paths.map((path, i): ReadRecord => {
    const read = readLicenseInto(reader.prefix + path, room, reader.fileSystem)
    if (typeof read !== 'number') return read
    const data = bytes.subarray(used, used + read)
    spans[2 * i] = used
    spans[2 * i + 1] = read
    used += read
    return checkLicense(reader, data, path)
  })
  // A copy of the used part only: the answer crosses to the other thread whole.
  const answer = new Uint8Array(used)
  answer.set(bytes.subarray(0, used))
  return { bytes: answer, spans, records }
}

function checkLicense(reader: BatchReader, data: Buffer, path: string): ReadRecord {
  const license = readLicenseText(data.toString('utf8'), path)
  if ('problem' in license) return license
  const { jti, keyId, header } = license
  if (reader.trusted && !signatureHolds(reader.trusted, header, license.text))
    return { failure: 'signature', header, jti, keyId }
  return { jti, keyId, restricted: license.restricted, sha256: hash('sha256', data, 'hex') }
}

function signatureHolds(trusted: TrustedKeys, header: LicenseHeader, text: string): boolean {
  const choice = trusted.choose(header.alg, header.kid)
  if (!('key' in choice)) return false
  // A parsed license's text is base64url and dots: a character is a byte.
  const dot = text.lastIndexOf('.')
  const data = Buffer.from(text.slice(0, dot), 'latin1')
  const signature = Buffer.from(text.slice(dot + 1), 'base64url')
  return verifySignature(choice.key, header.alg, data, signature)
}
