// A verify pool's worker thread (pool.ts), or a read pool's (read-pool.ts, ADR 0217). Node runs this very
// file from the sources (its type stripping) and esbuild emits it as an entry point of its own beside the
// code that starts it (scripts/build.mjs, scripts/bundle.mjs), ADR 0140; so it imports of the project only
// modules that import nothing of the project but such modules, by their `.ts` names (ADR 0181).
import type { KeyObject } from 'node:crypto'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import type { JWK } from 'jose'
import { importPublicKey, verifySignature } from '@license-backup/protocol/jws/signature'
import { batchReader, readBatch, type ReadReply } from './read-batch.ts'

/**
 * What the pool gives each worker: the trusted keys by slot and the algorithms in the order of their codes.
 * The pool has chosen the slot of each check (packages/protocol/src/jws/key-choice.ts): the worker only
 * checks.
 */
export interface WorkerSetup {
  verifyPool: true
  keys: JWK[]
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
export function keySlots(keys: JWK[]): (KeyObject | undefined)[] {
  return keys.map(importPublicKey)
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
    const name = checker.algorithms[alg]
    results[i] = key && name && verifySignature(key, name, data, sig) ? 1 : 0
  }
  return results
}

/** Answers every batch that arrives on `port` with its results, transferred. */
export function serve(port: MessagePort, setup: WorkerSetup): void {
  const checker = { slots: keySlots(setup.keys), algorithms: setup.algorithms }
  port.on('message', ({ id, meta, text }: Batch) => {
    const results = checkBatch(checker, meta, text)
    port.postMessage({ id, results }, [results.buffer])
  })
}

/** What a read pool gives each worker: the store, and the trusted keys when signatures are checked. */
export interface ReadSetup {
  readPool: true
  store: string
  keys: JWK[] | undefined
}

/** A batch of a read pool: store-relative paths, `\0`-separated (no path holds one). */
export interface ReadRequest {
  id: number
  paths: string
}

/** Answers every read batch that arrives on `port` with its licenses, their bytes transferred. */
export function serveReads(port: MessagePort, setup: ReadSetup): void {
  const reader = batchReader(setup.store, setup.keys)
  port.on('message', ({ id, paths }: ReadRequest) => {
    const reply: ReadReply & { id: number } = { id, ...readBatch(reader, paths.split('\0')) }
    port.postMessage(reply, [reply.bytes.buffer, reply.spans.buffer])
  })
}

const setup = workerData as Partial<WorkerSetup & ReadSetup> | null
if (parentPort && setup?.verifyPool === true) serve(parentPort, workerData as WorkerSetup)
if (parentPort && setup?.readPool === true) serveReads(parentPort, workerData as ReadSetup)
