import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { JWK } from 'jose'

/**
 * Checks JWS signatures on worker threads, so a verified backup uses every core (issue 6: at least 85% of
 * the bare node:crypto rate of both cores). The main thread keeps reading files and writing the pack.
 * The worker is a short CommonJS script kept inline: it then runs the same way from the bundle, the
 * TypeScript sources under Jest and the scripts, with no worker file to locate (ADR 0015).
 */
export interface SignatureCheck {
  kid: string
  alg: string
  /** `<header>.<payload>` as in the compact JWS. */
  signingInput: string
  /** The signature, base64url. */
  signature: string
}

/** The algorithms a worker checks, by the code a batch carries; any other is a failed check. */
const ALGORITHMS = ['Ed25519', 'EdDSA', 'ES256']

/**
 * A batch travels as one message of three parts (ADR 0051): the text of every check's signing input and
 * signature run together in one string, an Int32Array of four numbers a check (its key's slot, its
 * algorithm's code, the two lengths), transferred, and the results come back as a transferred
 * Uint8Array. An array of objects would be cloned property by property on both sides.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const keys = new Map()
for (const jwk of workerData.keys) {
  try { keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })) } catch {}
}
const slots = workerData.kids.map(kid => keys.get(kid))
function check(key, alg, data, sig) {
  if (!key) return false
  try {
    if (alg === 0 || alg === 1) {
      return key.asymmetricKeyType === 'ed25519' && verify(null, data, key, sig)
    }
    if (alg === 2) {
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails.namedCurve === 'prime256v1' &&
        verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig)
    }
  } catch {}
  return false
}
parentPort.on('message', ({ id, meta, text }) => {
  const count = meta.length / 4
  const results = new Uint8Array(count)
  const bytes = Buffer.from(text, 'latin1')
  let at = 0
  for (let i = 0; i < count; i++) {
    const slot = meta[4 * i], alg = meta[4 * i + 1], inputLength = meta[4 * i + 2], signatureLength = meta[4 * i + 3]
    const data = bytes.subarray(at, at + inputLength)
    const sig = Buffer.from(text.slice(at + inputLength, at + inputLength + signatureLength), 'base64url')
    at += inputLength + signatureLength
    results[i] = check(slot < 0 ? undefined : slots[slot], alg, data, sig) ? 1 : 0
  }
  parentPort.postMessage({ id, results }, [results.buffer])
})
`

const BATCH = 128
/** Heap limits of a worker isolate: it holds the keys and one batch (~70 KB) at a time. */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 }

interface Waiter {
  resolve: (ok: boolean) => void
  reject: (error: Error) => void
}

interface Pending {
  /** Four numbers a check: key slot (-1 for an unknown kid), algorithm code, input and signature lengths. */
  meta: number[]
  text: string
  waiters: Waiter[]
}

const emptyBatch = (): Pending => ({ meta: [], text: '', waiters: [] })

export class VerifyPool {
  private readonly workers: Worker[]
  private readonly inflight = new Map<number, Waiter[]>()
  private readonly load: number[]
  private pending: Pending = emptyBatch()
  /** The slot of each key ID the workers know, in the order of `kids` given to them. */
  private readonly slots = new Map<string, number>()
  private nextId = 0
  private failure: Error | undefined

  constructor(keys: JWK[], threads = Math.max(1, availableParallelism())) {
    for (const key of keys) {
      if (typeof key.kid === 'string' && !this.slots.has(key.kid)) this.slots.set(key.kid, this.slots.size)
    }
    const kids = [...this.slots.keys()]
    this.workers = Array.from({ length: threads }, () => this.spawn(keys, kids))
    this.load = this.workers.map(() => 0)
  }

  /** Resolves true when the signature is valid for the key `kid` and the algorithm `alg`. */
  verify(check: SignatureCheck): Promise<boolean> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise<boolean>((resolve, reject) => {
      const pending = this.pending
      const code = ALGORITHMS.indexOf(check.alg)
      pending.meta.push(
        this.slots.get(check.kid) ?? -1,
        code < 0 ? ALGORITHMS.length : code,
        check.signingInput.length,
        check.signature.length
      )
      pending.text += check.signingInput + check.signature
      pending.waiters.push({ resolve, reject })
      if (pending.waiters.length >= BATCH) this.flush()
      // A partial batch goes out on the next turn of the event loop: the checks a caller queues in the
      // meantime (a tar chunk's worth, a service answer's worth) travel together (ADR 0050).
      else if (pending.waiters.length === 1) setImmediate(() => this.flush())
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(worker => worker.terminate()))
  }

  private flush(): void {
    if (this.pending.waiters.length === 0) return
    const { meta, text, waiters } = this.pending
    this.pending = emptyBatch()
    if (this.failure) {
      for (const waiter of waiters) waiter.reject(this.failure)
      return
    }
    const id = this.nextId++
    const index = this.load.indexOf(Math.min(...this.load))
    this.load[index] = (this.load[index] ?? 0) + waiters.length
    this.inflight.set(id, waiters)
    const packed = new Int32Array(meta)
    this.workers[index]?.postMessage({ id, meta: packed, text }, [packed.buffer])
  }

  private spawn(keys: JWK[], kids: string[]): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { keys, kids },
      resourceLimits: WORKER_LIMITS
    })
    worker.unref()
    worker.on('message', ({ id, results }: { id: number; results: Uint8Array }) => {
      const waiters = this.inflight.get(id)
      this.inflight.delete(id)
      const index = this.workers.indexOf(worker)
      this.load[index] = (this.load[index] ?? 0) - results.length
      results.forEach((ok, i) => waiters?.[i]?.resolve(ok === 1))
    })
    worker.on('error', error => {
      // A worker that dies takes its checks with it: every check waiting anywhere fails, none hangs.
      this.failure = error
      for (const waiters of this.inflight.values()) for (const waiter of waiters) waiter.reject(error)
      this.inflight.clear()
    })
    return worker
  }
}
