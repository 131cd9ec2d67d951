import { closeSync, createReadStream, openSync, readFileSync, writeSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'

/** Lines are written in runs of about this many bytes. */
const FLUSH_AT = 256 * 1024

/**
 * Lines of the pack's index, spooled to a file in the build folder as licenses are packed (ADR 0130),
 * so a backup holds no per-license entry in memory: the index member is streamed from the spools once
 * the last license is packed. Writes are synchronous runs (a quarter megabyte in the page cache costs
 * less than a promise a line would). The build folder's `.` names are removed before it is committed.
 */
export class IndexSpool {
  private pending: string[] = []
  private pendingChars = 0
  private written = 0

  private constructor(
    readonly file: string,
    private fd: number | undefined
  ) {}

  /** Opens `.<name>.spool` in `dir`. */
  static open(dir: string, name: string): IndexSpool {
    const file = join(dir, `.${name}.spool`)
    return new IndexSpool(file, openSync(file, 'wx', 0o600))
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

  /** Closes the spool; returns its size in bytes. */
  finish(): number {
    this.flush()
    this.close()
    return this.written
  }

  /** The spooled bytes, in order (after `finish`). */
  read(): AsyncIterable<Buffer> {
    return createReadStream(this.file, { highWaterMark: 1024 * 1024 })
  }

  /** The spooled text, whole (after `finish`): for a spool the caller knows to be small. */
  text(): string {
    return readFileSync(this.file, 'utf8')
  }

  async remove(): Promise<void> {
    this.close()
    await rm(this.file, { force: true })
  }

  private flush(): void {
    if (this.pending.length === 0 || this.fd === undefined) return
    const bytes = Buffer.from(this.pending.join(''))
    this.pending = []
    this.pendingChars = 0
    for (let offset = 0; offset < bytes.length;)
      offset += writeSync(this.fd, bytes, offset, bytes.length - offset)
    this.written += bytes.length
  }

  private close(): void {
    if (this.fd === undefined) return
    closeSync(this.fd)
    this.fd = undefined
  }
}
