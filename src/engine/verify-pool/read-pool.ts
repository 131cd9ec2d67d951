import type { Worker } from 'node:worker_threads'
import type { JWK } from 'jose'
import type { LicenseFileSystem } from '../store/read-file.js'
import { startWorker } from './pool.js'
import { batchReader, readBatch, type ReadReply } from './read-batch.js'
import type { ReadRequest, ReadSetup } from './verify-worker.js'

/** Paths a batch: its answer is one message of ~180 KB. */
const BATCH = 256
/** Batches a thread has queued or under way, so it never waits for the main thread to ask. */
const AHEAD = 3

/** A batch read: its paths, in order, and what became of each (read-batch.ts). */
export interface ReadBatch extends ReadReply {
  paths: string[]
}

export interface ReadPoolOptions {
  store: string
  /** Store-relative paths in the order their licenses are wanted; it may throw (the walk's errors). */
  paths: Iterator<string>
  /** The trusted keys when signatures are to be checked. */
  keys: readonly JWK[] | undefined
  /** Worker threads; 0 reads on this thread (a small store, or a test's file system). */
  threads: number
  fileSystem?: LicenseFileSystem
}

/**
 * Reads a store's licenses in batches on worker threads (ADR 0217): each thread reads a batch's files
 * into one buffer, parses, hashes and checks each license, and transfers the buffer back; the batches
 * go to the threads in turn and come back here in path order. A failure of the walk is thrown after
 * every batch before it, so errors keep path order. The threads end when the caller stops.
 */
export async function* readLicenseBatches(options: ReadPoolOptions): AsyncGenerator<ReadBatch> {
  const { threads } = options
  if (threads === 0) {
    // On this thread a license is read at its turn, once the one before it is packed, as a store is
    // read without threads: a file that changes meanwhile is read as it is then.
    const reader = batchReader(options.store, options.keys, options.fileSystem)
    for (;;) {
      const { paths, walkError } = nextPaths(options.paths, 1)
      if (paths.length > 0) yield { paths, ...readBatch(reader, paths) }
      if (walkError !== undefined) throw walkError
      if (paths.length === 0) return
    }
  }
  const setup: ReadSetup = { readPool: true, store: options.store, keys: options.keys && [...options.keys] }
  const workers = Array.from({ length: threads }, () => new ReadThread(setup))
  const inflight: Array<{ paths: string[]; reply: Promise<ReadReply> }> = []
  let sent = 0
  let walked = false
  let walkError: unknown
  const fill = (): void => {
    while (!walked && inflight.length < AHEAD * threads) {
      const next = nextPaths(options.paths, BATCH)
      walked = next.paths.length < BATCH
      walkError = next.walkError
      if (next.paths.length === 0) continue
      const reply = workers[sent++ % threads]!.read(next.paths)
      // Its failure surfaces at its turn; not unhandled before that.
      reply.catch(() => {})
      inflight.push({ paths: next.paths, reply })
    }
  }
  try {
    fill()
    for (let batch = inflight.shift(); batch !== undefined; batch = inflight.shift()) {
      const reply = await batch.reply
      fill()
      yield { paths: batch.paths, ...reply }
    }
    if (walkError !== undefined) throw walkError
  } finally {
    await Promise.all(workers.map(worker => worker.close()))
  }
}

/** The next batch's paths, and the walk's error if it failed after them (the batch then ends there). */
function nextPaths(paths: Iterator<string>, size: number): { paths: string[]; walkError?: unknown } {
  const batch: string[] = []
  try {
    while (batch.length < size) {
      const step = paths.next()
      if (step.done) break
      batch.push(step.value)
    }
  } catch (error) {
    return { paths: batch, walkError: error }
  }
  return { paths: batch }
}

/** One worker thread of a read pool: batches answered in the order they were sent. */
class ReadThread {
  private readonly worker: Worker
  private readonly waiting: Array<{ resolve: (reply: ReadReply) => void; reject: (error: Error) => void }> =
    []
  private failure: Error | undefined
  private nextId = 0

  constructor(setup: ReadSetup) {
    this.worker = startWorker(setup)
    this.worker.on('message', (reply: ReadReply) => this.waiting.shift()?.resolve(reply))
    // A thread that dies takes its batches with it: each fails, none hangs.
    this.worker.on('error', error => this.fail(error))
    this.worker.on('exit', code => this.fail(new Error(`a read thread stopped (exit code ${code})`)))
  }

  read(paths: string[]): Promise<ReadReply> {
    if (this.failure) return Promise.reject(this.failure)
    const request: ReadRequest = { id: this.nextId++, paths: paths.join('\0') }
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject })
      this.worker.postMessage(request)
    })
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the read pool is closed')
    await this.worker.terminate()
  }

  private fail(error: Error): void {
    this.failure ??= error
    for (const waiter of this.waiting.splice(0)) waiter.reject(error)
  }
}
