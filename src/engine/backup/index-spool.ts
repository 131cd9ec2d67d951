import { closeSync, createReadStream, openSync, readFileSync, writeSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { gzipMember, gzipMemberSync } from '../format/gzip.js'

/** Lines are written in runs of about this many bytes. */
const FLUSH_AT = 256 * 1024
/** Runs being gzipped on zlib's thread pool at once; one more is gzipped here, which slows the caller. */
const DEFLATING_AT_MOST = 4

/**
 * Lines of the pack's index, spooled to a file in the build folder as licenses are packed (ADR 0130),
 * so a backup holds no per-license entry in memory: the index member is streamed from the spools once
 * the last license is packed. Writes are synchronous runs (a quarter megabyte in the page cache costs
 * less than a promise a line would). The build folder's `.` names are removed before it is committed.
 *
 * For a gzip pack, each run is spooled as a gzip member, deflated on zlib's thread pool while the
 * licenses are packed, and the pack takes the members as they are (ADR 0147): the index is not deflated
 * after the last license, when nothing else would run beside it.
 */
export class IndexSpool {
  private pending: string[] = []
  private pendingChars = 0
  private written = 0
  private stored = 0
  private deflating = 0
  /** The spool's writes, in order: a run's member is written once it and every run before it are. */
  private writes: Promise<void> = Promise.resolve()

  private constructor(
    readonly file: string,
    private readonly gzipped: boolean,
    private fd: number | undefined
  ) {}

  /** Opens `.<name>.spool` in `dir`; `gzipped`, it holds gzip members of the lines. */
  static open(dir: string, name: string, gzipped: boolean): IndexSpool {
    const file = join(dir, `.${name}.spool`)
    return new IndexSpool(file, gzipped, openSync(file, 'wx', 0o600))
  }

  /** How many lines were added. */
  lines = 0

  /** Appends a line. */
  add(line: string): void {
    this.lines++
    this.pending.push(line)
    this.pendingChars += line.length
    if (this.pendingChars >= FLUSH_AT) this.flush()
  }

  /** Writes what is left and closes the spool; resolves the lines' size in bytes and the file's. */
  async finish(): Promise<{ bytes: number; stored: number; gzipped: boolean }> {
    this.flush()
    await this.writes
    this.close()
    return { bytes: this.written, stored: this.stored, gzipped: this.gzipped }
  }

  /** The spooled bytes, in order (after `finish`). */
  read(): AsyncIterable<Buffer> {
    return createReadStream(this.file, { highWaterMark: 1024 * 1024 })
  }

  /** The spooled text, whole (after `finish`): for a spool the caller knows to be small. */
  text(): string {
    const bytes = readFileSync(this.file)
    // No line, no member: gunzip would call an empty input a truncated one.
    return (this.gzipped && bytes.length > 0 ? gunzipSync(bytes) : bytes).toString('utf8')
  }

  async remove(): Promise<void> {
    // A write still on its way must end before its file descriptor is closed (and its number reused).
    await this.writes.catch(() => {})
    this.close()
    await rm(this.file, { force: true })
  }

  private flush(): void {
    if (this.pending.length === 0 || this.fd === undefined) return
    const bytes = Buffer.from(this.pending.join(''))
    this.pending = []
    this.pendingChars = 0
    this.written += bytes.length
    if (!this.gzipped) {
      this.writeOut(bytes)
      return
    }
    const member = this.deflate(bytes)
    this.writes = this.writes.then(async () => this.writeOut(await member))
    // A failure surfaces at `finish`; until then it must not be an unhandled rejection.
    this.writes.catch(() => {})
  }

  private deflate(bytes: Buffer): Promise<Buffer> {
    if (this.deflating >= DEFLATING_AT_MOST) return Promise.resolve(gzipMemberSync(bytes))
    this.deflating++
    return gzipMember(bytes).finally(() => this.deflating--)
  }

  private writeOut(bytes: Buffer): void {
    if (this.fd === undefined) throw new Error(`the index spool ${this.file} is closed`)
    for (let offset = 0; offset < bytes.length;)
      offset += writeSync(this.fd, bytes, offset, bytes.length - offset)
    this.stored += bytes.length
  }

  private close(): void {
    if (this.fd === undefined) return
    closeSync(this.fd)
    this.fd = undefined
  }
}
