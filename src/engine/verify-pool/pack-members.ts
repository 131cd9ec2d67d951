// A v2 pack's members read on a pack thread (ADR 0235): the file read, gunzipped, bounded and parsed as a
// tar there, its licenses sent in batches. A pool's worker thread runs this module from its TypeScript
// source (ADR 0140), so it imports of the project only modules that import nothing of the project but
// such modules, by their `.ts` names (ADR 0217).
import { hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { gunzipBounded } from '../format/gzip.ts'
import { readTar } from '../format/tar-reader.ts'
import { LicenseBackupError, type ErrorCode, type ErrorSubject } from '../errors.ts'
import type { EngineMessage } from '../message.ts'

/** What a pack thread is given: the pack and what its manifest declares of it. */
export interface PackSetup {
  packPool: true
  packFile: string
  compression: 'gzip' | 'none'
  /** The tar's exact size (`pack.tar_size`). */
  tarSize: number
  /** The member handed over in pieces (the index), and its cap. */
  streamed: string
  maxStreamedSize: number
  /** The cap on every other member. */
  maxMemberSize: number
}

/** How a failure crosses to the main thread, which throws it again as it was. */
export type PackFailure =
  | { tooLong: true; problem: string }
  | { code: ErrorCode; parts: EngineMessage['parts']; subject: ErrorSubject; cause?: unknown }
  | { message: string; errno?: string }

/** A pack thread's answers, one a request, in the pack's order. */
export type PackReply =
  /** Whole members: their bytes in one buffer, two numbers a member (offset, length), their SHA-256s run together. */
  | {
      kind: 'members'
      bytes: Uint8Array<ArrayBuffer>
      spans: Int32Array<ArrayBuffer>
      names: string[]
      sha256: string
    }
  /** The streamed member begins; its pieces follow, then `streamedEnd`. */
  | { kind: 'streamed'; name: string; size: number }
  | { kind: 'piece'; bytes: Uint8Array<ArrayBuffer> }
  | { kind: 'streamedEnd' }
  | { kind: 'end' }
  | { kind: 'failed'; failure: PackFailure }

/** Members a batch: ~256 KB of licenses. */
const BATCH = 256

/** Thrown by `exactly`: the tar is longer or shorter than declared. */
export class TarSizeProblem extends Error {
  readonly problem: string
  // No parameter property: a pack thread runs this file by stripping its types.
  constructor(problem: string) {
    super(problem)
    this.problem = problem
  }
}

/** Passes the bytes on; throws TarSizeProblem past `size` or when they end short of it. */
export async function* exactly(
  source: AsyncIterable<Uint8Array>,
  size: number,
  file: string
): AsyncGenerator<Uint8Array> {
  let total = 0
  for await (const chunk of source) {
    total += chunk.length
    if (total > size)
      throw new TarSizeProblem(`${file} holds more than the ${size} tar bytes its manifest declares`)
    yield chunk
  }
  if (total !== size)
    throw new TarSizeProblem(`${file} holds ${total} tar bytes, its manifest declares ${size} (truncated)`)
}

/**
 * The pack's members as replies: whole members in batches, each with its SHA-256; the streamed member in
 * pieces; a failure after every member before it, as the last reply.
 */
export async function* packReplies(setup: PackSetup): AsyncGenerator<PackReply> {
  const batch = new MemberBatch()
  try {
    let source: AsyncIterable<Uint8Array> = createReadStream(setup.packFile)
    if (setup.compression === 'gzip') source = gunzipBounded(source, setup.tarSize, setup.packFile)
    const members = readTar(exactly(source, setup.tarSize, setup.packFile), {
      file: setup.packFile,
      maxMemberSize: name => (name === setup.streamed ? setup.maxStreamedSize : setup.maxMemberSize),
      streamed: name => name === setup.streamed
    })
    for await (const member of members) {
      if (!member.chunks) {
        batch.add(member.name, member.data)
        if (batch.size >= BATCH) yield batch.take()
        continue
      }
      if (batch.size > 0) yield batch.take()
      yield { kind: 'streamed', name: member.name, size: member.size }
      for await (const piece of member.chunks) yield { kind: 'piece', bytes: new Uint8Array(piece) }
      yield { kind: 'streamedEnd' }
    }
    if (batch.size > 0) yield batch.take()
    yield { kind: 'end' }
  } catch (error) {
    if (batch.size > 0) yield batch.take()
    yield { kind: 'failed', failure: packFailure(error) }
  }
}

function packFailure(error: unknown): PackFailure {
  if (error instanceof TarSizeProblem) return { tooLong: true, problem: error.problem }
  if (error instanceof LicenseBackupError) {
    const { code, parts, subject, cause } = error
    return { code, parts, subject, ...(cause instanceof Error ? { cause } : {}) }
  }
  const { message, code } = error as NodeJS.ErrnoException
  return { message: String(message), ...(code === undefined ? {} : { errno: code }) }
}

/** Whole members copied into one buffer, to be transferred. */
class MemberBatch {
  private bytes = Buffer.allocUnsafe(BATCH * 1024)
  private used = 0
  private spans: number[] = []
  private names: string[] = []
  private digests = ''

  get size(): number {
    return this.names.length
  }

  add(name: string, data: Buffer): void {
    if (this.used + data.length > this.bytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + data.length))
      this.bytes.copy(larger, 0, 0, this.used)
      this.bytes = larger
    }
    data.copy(this.bytes, this.used)
    this.spans.push(this.used, data.length)
    this.used += data.length
    this.names.push(name)
    this.digests += hash('sha256', data, 'hex')
  }

  take(): PackReply {
    const bytes = new Uint8Array(this.used)
    bytes.set(this.bytes.subarray(0, this.used))
    const reply: PackReply = {
      kind: 'members',
      bytes,
      spans: new Int32Array(this.spans),
      names: this.names,
      sha256: this.digests
    }
    this.used = 0
    this.spans = []
    this.names = []
    this.digests = ''
    return reply
  }
}
