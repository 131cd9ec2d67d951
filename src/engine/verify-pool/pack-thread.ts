import type { Worker } from 'node:worker_threads'
import { LicenseBackupError } from '../errors.js'
import type { PackFailure, PackReply, PackSetup } from './pack-members.js'
import { startWorker } from './pool.js'

/** A member of a pack as the thread gives it: a whole one with its SHA-256, or the streamed one in pieces. */
export interface ThreadMember {
  name: string
  size: number
  data: Buffer
  /** Hex, of `data`; absent for the streamed member. */
  sha256?: string
  chunks?: AsyncIterable<Buffer>
}

/** Replies asked for ahead, so the thread is never idle while this one works (~1 MB of licenses). */
const AHEAD = 4
const EMPTY = Buffer.alloc(0)

/**
 * A v2 pack's members read on a pack thread (ADR 0235): the thread reads, gunzips, bounds and parses the
 * tar and takes each license's SHA-256; this thread gets them in order, in batches, and throws what the
 * thread failed with as it would have been thrown here (`tooLong`: the tar's size; the rest as it was),
 * after every member before it. The thread ends when the caller stops.
 */
export async function* packMembersOnThread(
  setup: PackSetup,
  signal: AbortSignal | undefined,
  tooLong: (problem: string) => Error
): AsyncGenerator<ThreadMember> {
  const thread = new PackThread(setup)
  const fail = (failure: PackFailure): Error => rebuild(failure, tooLong)
  try {
    for (;;) {
      const reply = await thread.next()
      if (reply.kind === 'end') return
      if (reply.kind === 'failed') throw fail(reply.failure)
      if (reply.kind === 'streamed') {
        yield { name: reply.name, size: reply.size, data: EMPTY, chunks: pieces(thread, fail) }
        continue
      }
      if (reply.kind !== 'members') throw new Error(`a pack thread answered ${reply.kind} out of turn`)
      for (let i = 0; i < reply.names.length; i++) {
        if (signal?.aborted) throw new LicenseBackupError('CANCELLED', 'Reading the pack was cancelled.')
        const data = Buffer.from(reply.bytes.buffer, reply.spans[2 * i], reply.spans[2 * i + 1])
        const sha256 = reply.sha256.slice(64 * i, 64 * i + 64)
        yield { name: reply.names[i]!, size: data.length, data, sha256 }
      }
    }
  } finally {
    await thread.close()
  }
}

/** The streamed member's pieces, read before the next member is asked for. */
async function* pieces(thread: PackThread, fail: (failure: PackFailure) => Error): AsyncGenerator<Buffer> {
  for (;;) {
    const reply = await thread.next()
    if (reply.kind === 'streamedEnd') return
    if (reply.kind === 'failed') throw fail(reply.failure)
    if (reply.kind !== 'piece') throw new Error(`a pack thread answered ${reply.kind} out of turn`)
    yield Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.length)
  }
}

/** The error the thread caught, as it was thrown there. */
function rebuild(failure: PackFailure, tooLong: (problem: string) => Error): Error {
  if ('tooLong' in failure) return tooLong(failure.problem)
  if ('code' in failure) {
    const { code, parts, subject, cause } = failure
    return new LicenseBackupError(code, { parts }, { ...subject, ...(cause === undefined ? {} : { cause }) })
  }
  return Object.assign(new Error(failure.message), failure.errno === undefined ? {} : { code: failure.errno })
}

/** One pack thread: replies in the order they were asked for, AHEAD asked before they are wanted. */
class PackThread {
  private readonly worker: Worker
  private readonly arrived: PackReply[] = []
  private waiter: { resolve: (reply: PackReply) => void; reject: (error: Error) => void } | undefined
  private failure: Error | undefined

  constructor(setup: PackSetup) {
    this.worker = startWorker(setup)
    this.worker.on('message', (reply: PackReply) => {
      const waiter = this.waiter
      this.waiter = undefined
      if (waiter) waiter.resolve(reply)
      else this.arrived.push(reply)
    })
    // A thread that dies fails the reading; it never hangs.
    this.worker.on('error', error => this.fail(error))
    this.worker.on('exit', code => this.fail(new Error(`a pack thread stopped (exit code ${code})`)))
    for (let i = 0; i < AHEAD; i++) this.worker.postMessage(null)
  }

  next(): Promise<PackReply> {
    this.worker.postMessage(null)
    const reply = this.arrived.shift()
    if (reply) return Promise.resolve(reply)
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }))
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the pack thread is closed')
    await this.worker.terminate()
  }

  private fail(error: Error): void {
    this.failure ??= error
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.reject(error)
  }
}
