import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { JWK } from 'jose'
import { TrustedKeys } from '@license-backup/protocol/jws/key-choice'
import { JWS_ALGORITHMS } from '@license-backup/protocol/jws/signature'
import { checkBatch, keySlots, type Checker, type ReadSetup, type WorkerSetup } from './verify-worker.js'

/**
 * Checks JWS signatures on worker threads (verify-worker.ts), so a verified backup uses every core (issue 6:
 * at least 85% of the bare node:crypto rate of both cores). The main thread keeps reading files and writing
 * the pack. A batch travels as one message of three parts (ADR 0051): the text of every check's signing
 * input and signature run together in one string, an Int32Array of four numbers a check (its key's slot,
 * its algorithm's code, the two lengths), transferred, and the results come back as a transferred
 * Uint8Array. An array of objects would be cloned property by property on both sides.
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
const ALGORITHMS: string[] = [...JWS_ALGORITHMS]

/**
 * The worker's module beside this one: its TypeScript source when the sources run (Jest, Node's type
 * stripping), `verify-worker.js` when this code is bundled (dist/chunks/, scripts/bundle.mjs). ADR 0140.
 */
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './verify-worker.ts' : './verify-worker.js',
  import.meta.url
)

const BATCH = 128
/**
 * The checks a pool makes on the calling thread before it starts its threads: starting one costs 50 to
 * 150 ms of a core, more than checking a few hundred licenses, so a small store never starts them.
 */
const INLINE_CHECKS = 256
/** Heap limits of a worker isolate: it holds the keys and one batch (~70 KB) at a time. */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 }

interface Waiter {
  resolve: (ok: boolean) => void
  reject: (error: Error) => void
}

interface Pending {
  /** Four numbers a check: key slot (-1 for no key), algorithm code, input and signature lengths. */
  meta: number[]
  text: string
  waiters: Waiter[]
}

const emptyBatch = (): Pending => ({ meta: [], text: '', waiters: [] })

/**
 * Starts a thread on the worker's module with small heap limits, unreferenced: a verify pool's thread, or
 * a read pool's (read-pool.ts), as `workerData` says. The one place a worker starts, so every bundle
 * finds the module beside the chunk that holds this (ADR 0140).
 */
export function startWorker(workerData: WorkerSetup | ReadSetup): Worker {
  const worker = new Worker(WORKER_URL, { workerData, resourceLimits: WORKER_LIMITS })
  worker.unref()
  return worker
}

export class VerifyPool {
  /** Started with the first check past INLINE_CHECKS. */
  private workers: Worker[] | undefined
  private readonly inflight = new Map<number, Waiter[]>()
  private load: number[] = []
  private inlineLeft = INLINE_CHECKS
  private inlineChecker: Checker | undefined
  private pending: Pending = emptyBatch()
  /** Which key checks a kid and alg (ADR 0181); a key's slot is its index in `keys`. */
  private readonly trusted: TrustedKeys
  private nextId = 0
  private failure: Error | undefined

  constructor(
    private readonly keys: JWK[],
    private readonly threads = Math.max(1, availableParallelism())
  ) {
    this.trusted = new TrustedKeys(keys)
  }

  /** Resolves true when the signature is valid for the key `kid` and the algorithm `alg`. */
  verify(check: SignatureCheck): Promise<boolean> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise<boolean>((resolve, reject) => {
      const pending = this.pending
      const code = ALGORITHMS.indexOf(check.alg)
      const choice = this.trusted.choose(check.alg, check.kid)
      pending.meta.push(
        'index' in choice ? choice.index : -1,
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
    await Promise.all((this.workers ?? []).map(worker => worker.terminate()))
  }

  private flush(): void {
    if (this.pending.waiters.length === 0) return
    const { meta, text, waiters } = this.pending
    this.pending = emptyBatch()
    if (this.failure) {
      for (const waiter of waiters) waiter.reject(this.failure)
      return
    }
    const packed = new Int32Array(meta)
    if (!this.workers && waiters.length <= this.inlineLeft) {
      this.inlineLeft -= waiters.length
      this.inlineChecker ??= { slots: keySlots(this.keys), algorithms: ALGORITHMS }
      checkBatch(this.inlineChecker, packed, text).forEach((ok, i) => waiters[i]?.resolve(ok === 1))
      return
    }
    const workers = (this.workers ??= this.start())
    const id = this.nextId++
    const index = this.load.indexOf(Math.min(...this.load))
    this.load[index] = (this.load[index] ?? 0) + waiters.length
    this.inflight.set(id, waiters)
    workers[index]?.postMessage({ id, meta: packed, text }, [packed.buffer])
  }

  private start(): Worker[] {
    this.load = Array.from({ length: this.threads }, () => 0)
    return Array.from({ length: this.threads }, () => this.spawn(this.keys))
  }

  private spawn(keys: JWK[]): Worker {
    const worker = startWorker({ verifyPool: true, keys, algorithms: ALGORITHMS })
    worker.on('message', ({ id, results }: { id: number; results: Uint8Array }) => {
      const waiters = this.inflight.get(id)
      this.inflight.delete(id)
      const index = this.workers?.indexOf(worker) ?? -1
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
