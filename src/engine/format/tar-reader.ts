import { LicenseBackupError } from '../errors.js'
import { BLOCK, checksum } from './tar-writer.js'
import { message } from '../message.js'

/** A regular-file member of a tar, read whole (members are licenses: small, and capped). */
export interface TarMember {
  /** The member's name as stored (pax `path` or GNU long name when present, else ustar prefix/name). */
  name: string
  size: number
  type: 'file'
  mode: number
  /** The member's bytes; empty for a streamed member (`TarReadOptions.streamed`). */
  data: Buffer
  /**
   * A streamed member's bytes in pieces, to be read before the next member is asked for (what is left
   * unread is skipped then).
   */
  chunks?: AsyncIterable<Buffer>
}

export interface TarReadOptions {
  /** Names the archive in error messages. Default `the pack`. */
  file?: string
  /** A member larger than this (for its name) is an error before its data is read. Default 1 MiB. */
  maxMemberSize?: number | ((name: string) => number)
  /** A pax or GNU long-name record larger than this is an error. Default 64 KiB. */
  maxMetadataSize?: number
  /** Members (by name) to hand over in pieces instead of whole: a large one is never one buffer. */
  streamed?: (name: string) => boolean
  signal?: AbortSignal
}

/**
 * Reads a tar strictly, as a stream: yields each regular file in order and throws BACKUP_CORRUPT on
 * anything else: a link, directory, device or FIFO member, a bad header checksum, a size over the cap, a
 * truncated archive, or data after the end-of-archive marker that is not zeros. Understands ustar (with
 * prefix), pax `x` records (`path`, `size`) and GNU `L` long names; a pax global header (`g`) is refused.
 * Name safety (absolute, `..`, duplicates) is the caller's to judge.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: TarReadOptions = {}
): AsyncGenerator<TarMember, void, undefined> {
  const file = options.file ?? 'the pack'
  const cap = options.maxMemberSize ?? 1024 * 1024
  const maxMemberSize = typeof cap === 'number' ? () => cap : cap
  const maxMetadataSize = options.maxMetadataSize ?? 64 * 1024
  const input = new ByteReader(iteratorOf(source))
  let index = 0
  let pending: { path?: string; size?: number } = {}
  const corrupt = (problem: string): LicenseBackupError =>
    new LicenseBackupError(
      'BACKUP_CORRUPT',
      message`${file} is not a valid license-backup pack: ${problem}.`,
      {
        file
      }
    )
  try {
    for (;;) {
      if (options.signal?.aborted)
        throw new LicenseBackupError('CANCELLED', 'Reading the pack was cancelled.')
      const block = await input.read(BLOCK)
      if (block === undefined) throw corrupt('it ends without the end-of-archive marker (truncated)')
      if (isZero(block)) {
        const second = await input.read(BLOCK)
        if (second === undefined || !isZero(second))
          throw corrupt('it has a lone zero block (truncated or damaged)')
        await expectOnlyZeros(input, corrupt)
        return
      }
      index++
      const at = `member ${index}`
      const stored = readOctal(block, 148, 8)
      if (stored === undefined || stored !== checksum(block)) throw corrupt(`${at} has a bad header checksum`)
      const magic = block.toString('latin1', 257, 263)
      if (magic !== 'ustar\u0000' && magic !== 'ustar ') throw corrupt(`${at} is not a ustar/pax header`)
      const type = String.fromCharCode(block[156]!)
      const headerSize = readOctal(block, 124, 12)
      if (headerSize === undefined) throw corrupt(`${at} has an unreadable size`)
      const ustarPath = joinUstarName(block)
      if (type === 'x' || type === 'L') {
        if (headerSize > maxMetadataSize)
          throw corrupt(`${at} has a ${headerSize}-byte metadata record, over the cap`)
        const data = await readData(input, headerSize, corrupt, at)
        if (type === 'L') pending.path = cString(data)
        else pending = { ...pending, ...parsePax(data, corrupt, at) }
        continue
      }
      const name = pending.path ?? ustarPath
      const size = pending.size ?? headerSize
      pending = {}
      if (type !== '0' && type !== '\u0000' && type !== '7') {
        throw corrupt(`${at} (${JSON.stringify(name)}) is a ${typeName(type)}, not a regular file`)
      }
      if (name === '') throw corrupt(`${at} has an empty name`)
      if (size > maxMemberSize(name))
        throw corrupt(
          `${at} (${JSON.stringify(name)}) is ${size} bytes, over the ${maxMemberSize(name)}-byte cap`
        )
      const mode = readOctal(block, 100, 8) ?? 0
      if (options.streamed?.(name)) {
        const piece = new MemberPieces(input, size, () =>
          corrupt(`${at} (${JSON.stringify(name)}) is cut short (truncated)`)
        )
        yield { name, size, type: 'file', mode, data: Buffer.alloc(0), chunks: piece.chunks() }
        await piece.skipRest()
        continue
      }
      const data = await readData(input, size, corrupt, `${at} (${JSON.stringify(name)})`)
      yield { name, size, type: 'file', mode, data }
    }
  } finally {
    await input.close()
  }
}

async function readData(
  input: ByteReader,
  size: number,
  corrupt: (problem: string) => LicenseBackupError,
  at: string
): Promise<Buffer> {
  const padded = Math.ceil(size / BLOCK) * BLOCK
  const data = await input.read(padded)
  if (data === undefined) throw corrupt(`${at} is cut short (truncated)`)
  return Buffer.from(data.subarray(0, size))
}

async function expectOnlyZeros(
  input: ByteReader,
  corrupt: (problem: string) => LicenseBackupError
): Promise<void> {
  for (;;) {
    const chunk = await input.readSome()
    if (chunk === undefined) return
    if (!isZero(chunk)) throw corrupt('it has data after the end-of-archive marker')
  }
}

function parsePax(
  data: Buffer,
  corrupt: (problem: string) => LicenseBackupError,
  at: string
): { path?: string; size?: number } {
  const result: { path?: string; size?: number } = {}
  let offset = 0
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset)
    if (space < 0) break
    const length = Number(data.toString('ascii', offset, space))
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length)
      throw corrupt(`${at} has a malformed pax record`)
    const record = data.toString('utf8', space + 1, offset + length - 1)
    const equals = record.indexOf('=')
    if (equals < 0) throw corrupt(`${at} has a malformed pax record`)
    const key = record.slice(0, equals)
    const value = record.slice(equals + 1)
    if (key === 'path') result.path = value
    if (key === 'size') {
      if (!/^\d+$/.test(value)) throw corrupt(`${at} has a malformed pax size`)
      result.size = Number(value)
    }
    offset += length
  }
  return result
}

function joinUstarName(block: Buffer): string {
  const name = cString(block.subarray(0, 100))
  const isUstar = block.toString('latin1', 257, 263) === 'ustar\u0000'
  const prefix = isUstar ? cString(block.subarray(345, 500)) : ''
  return prefix === '' ? name : `${prefix}/${name}`
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0)
  return bytes.toString('utf8', 0, end < 0 ? bytes.length : end)
}

/** An octal field (NUL/space terminated); undefined when it is not octal (base-256 sizes included). */
function readOctal(block: Buffer, offset: number, width: number): number | undefined {
  const text = (block.toString('latin1', offset, offset + width).split('\u0000')[0] ?? '').trim()
  if (!/^[0-7]+$/.test(text)) return text === '' ? 0 : undefined
  return parseInt(text, 8)
}

function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false
  return true
}

function typeName(type: string): string {
  const names: Record<string, string> = {
    '1': 'hard link',
    '2': 'symbolic link',
    '3': 'character device',
    '4': 'block device',
    '5': 'directory',
    '6': 'FIFO',
    g: 'pax global header',
    K: 'GNU long link name'
  }
  return names[type] ?? `member of type ${JSON.stringify(type)}`
}

/** A streamed member's data: its bytes in the pieces they come in, then its padding skipped. */
class MemberPieces {
  private left: number
  private padding: number

  constructor(
    private readonly input: ByteReader,
    size: number,
    private readonly truncated: () => LicenseBackupError
  ) {
    this.left = size
    this.padding = Math.ceil(size / BLOCK) * BLOCK - size
  }

  async *chunks(): AsyncGenerator<Buffer> {
    while (this.left > 0) {
      const piece = await this.input.readUpTo(this.left)
      if (piece === undefined) throw this.truncated()
      this.left -= piece.length
      yield piece
    }
  }

  async skipRest(): Promise<void> {
    for await (const piece of this.chunks()) void piece
    if (this.padding > 0 && (await this.input.read(this.padding)) === undefined) throw this.truncated()
    this.padding = 0
  }
}

/** Reads exact byte counts from an async iterator of chunks, copying only when a read spans chunks. */
class ByteReader {
  private chunks: Buffer[] = []
  private offset = 0
  private buffered = 0
  private done = false

  constructor(private readonly iterator: AsyncIterator<Uint8Array>) {}

  /** Exactly `n` bytes, or undefined when the source ends first. */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.buffered < n && !this.done) await this.pull()
    if (this.buffered < n) return undefined
    const first = this.chunks[0]
    if (first && first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n)
      this.consume(n)
      return out
    }
    const out = Buffer.alloc(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[0]!
      const take = Math.min(n - filled, chunk.length - this.offset)
      chunk.copy(out, filled, this.offset, this.offset + take)
      filled += take
      this.consume(take)
    }
    return out
  }

  /** At most `n` bytes: what is buffered, or the next chunk; undefined at the end. */
  async readUpTo(n: number): Promise<Buffer | undefined> {
    while (this.buffered === 0 && !this.done) await this.pull()
    if (this.buffered === 0) return undefined
    const first = this.chunks[0]!
    return this.read(Math.min(n, first.length - this.offset))
  }

  /** Whatever is buffered, or the next chunk; undefined at the end. */
  async readSome(): Promise<Uint8Array | undefined> {
    if (this.buffered === 0 && !this.done) await this.pull()
    if (this.buffered === 0) return undefined
    return this.read(this.buffered)
  }

  async close(): Promise<void> {
    if (!this.done) await this.iterator.return?.()
  }

  private consume(n: number): void {
    this.offset += n
    this.buffered -= n
    while (this.chunks.length > 0 && this.offset >= this.chunks[0]!.length) {
      this.offset -= this.chunks[0]!.length
      this.chunks.shift()
    }
  }

  private async pull(): Promise<void> {
    const next = await this.iterator.next()
    if (next.done) {
      this.done = true
      return
    }
    const value = next.value
    if (value.length === 0) return
    this.chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength))
    this.buffered += value.length
  }
}

function iteratorOf(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterator<Uint8Array> {
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]()
  const sync = source[Symbol.iterator]()
  return {
    next: async () => sync.next(),
    return: async () => sync.return?.() ?? { done: true, value: undefined }
  }
}
