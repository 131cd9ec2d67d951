// A verify pool's worker thread (pool.ts). It imports nothing of the project, so Node runs this very file
// from the sources (its type stripping) and esbuild emits it as an entry point of its own beside the code
// that starts it (scripts/build.mjs, scripts/bundle.mjs). ADR 0140.
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import type { JWK } from 'jose'

/** What the pool gives each worker: the trusted keys, the key IDs and algorithms in the order of their codes. */
export interface WorkerSetup {
  verifyPool: true
  keys: JWK[]
  kids: string[]
  algorithms: string[]
}

/**
 * One batch (ADR 0051): the text of every check's signing input and signature run together, and four
 * numbers a check in `meta` (its key's slot or -1, its algorithm's code, the two lengths).
 */
export interface Batch {
  id: number
  meta: Int32Array
  text: string
}

/** The keys by slot; a key Node cannot import is no key, and a check against it fails. */
export function keySlots(setup: Pick<WorkerSetup, 'keys' | 'kids'>): (KeyObject | undefined)[] {
  const keys = new Map<string, KeyObject>()
  for (const jwk of setup.keys) {
    if (typeof jwk.kid !== 'string') continue
    try {
      keys.set(jwk.kid, createPublicKey({ key: jwk as never, format: 'jwk' }))
    } catch {
      // Left out: no check passes against it.
    }
  }
  return setup.kids.map(kid => keys.get(kid))
}

/** Whether `sig` is `key`'s signature of `data` by the JWS algorithm `alg`. */
export function checkSignature(
  key: KeyObject | undefined,
  alg: string | undefined,
  data: Buffer,
  sig: Buffer
): boolean {
  if (!key) return false
  try {
    if (alg === 'Ed25519' || alg === 'EdDSA') {
      return key.asymmetricKeyType === 'ed25519' && verify(null, data, key, sig)
    }
    if (alg === 'ES256') {
      return (
        key.asymmetricKeyType === 'ec' &&
        key.asymmetricKeyDetails?.namedCurve === 'prime256v1' &&
        verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig)
      )
    }
  } catch {
    // A malformed signature is a failed check.
  }
  return false
}

/** The keys by slot, the algorithms by code. */
export interface Checker {
  slots: (KeyObject | undefined)[]
  algorithms: string[]
}

/** Checks a batch: 1 for each valid signature, 0 for each other, in the batch's order. */
export function checkBatch(checker: Checker, meta: Int32Array, text: string): Uint8Array<ArrayBuffer> {
  const count = meta.length / 4
  const results = new Uint8Array(count)
  // The text is ASCII (base64url and dots), so a character is a byte.
  const bytes = Buffer.from(text, 'latin1')
  let at = 0
  for (let i = 0; i < count; i++) {
    const slot = meta[4 * i] ?? -1
    const alg = meta[4 * i + 1] ?? -1
    const inputLength = meta[4 * i + 2] ?? 0
    const signatureLength = meta[4 * i + 3] ?? 0
    const data = bytes.subarray(at, at + inputLength)
    const sig = Buffer.from(text.slice(at + inputLength, at + inputLength + signatureLength), 'base64url')
    at += inputLength + signatureLength
    const key = slot < 0 ? undefined : checker.slots[slot]
    results[i] = checkSignature(key, checker.algorithms[alg], data, sig) ? 1 : 0
  }
  return results
}

/** Answers every batch that arrives on `port` with its results, transferred. */
export function serve(port: MessagePort, setup: WorkerSetup): void {
  const checker = { slots: keySlots(setup), algorithms: setup.algorithms }
  port.on('message', ({ id, meta, text }: Batch) => {
    const results = checkBatch(checker, meta, text)
    port.postMessage({ id, results }, [results.buffer])
  })
}

if (parentPort && (workerData as Partial<WorkerSetup> | null)?.verifyPool === true) {
  serve(parentPort, workerData as WorkerSetup)
}
