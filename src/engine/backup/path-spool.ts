import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs'

/** Paths are written, and read back, in runs of about this many bytes. */
const RUN_BYTES = 256 * 1024
/** Ends each path: a file name cannot hold a NUL byte, and no UTF-8 sequence has one inside it. */
const END = 0

/**
 * The store's license paths as the scan found them, spooled to a private file so the pack takes them from
 * it instead of walking the store a second time (ADR 0245), holding no list of paths in memory. The file
 * (0600) holds only store-relative names; `remove` deletes it.
 */
export class PathSpool {
  private pending: string[] = []
  private pendingBytes = 0

  private constructor(
    private readonly file: string,
    private fd: number | undefined
  ) {}

  /** Creates `file`, which must not exist. */
  static open(file: string): PathSpool {
    return new PathSpool(file, openSync(file, 'wx+', 0o600))
  }

  /** Appends a path. */
  add(path: string): void {
    this.pending.push(path)
    this.pendingBytes += path.length + 1
    if (this.pendingBytes >= RUN_BYTES) this.flush()
  }

  /** The paths in the order they were added, read back a run at a time; call once, after the last add. */
  *paths(): Generator<string> {
    this.flush()
    const fd = this.fd!
    const buffer = Buffer.allocUnsafe(RUN_BYTES)
    let position = 0
    let carry: Buffer | undefined
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, position)
      if (read === 0) return
      position += read
      const data = carry ? Buffer.concat([carry, buffer.subarray(0, read)]) : buffer.subarray(0, read)
      let start = 0
      for (let end = data.indexOf(END); end >= 0; end = data.indexOf(END, start)) {
        yield data.toString('utf8', start, end)
        start = end + 1
      }
      // A path cut by the run's end: kept (copied, as the buffer is read into again) for the next run.
      carry = start < data.length ? Buffer.from(data.subarray(start)) : undefined
    }
  }

  /** Closes and deletes the spool. */
  remove(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    rmSync(this.file, { force: true })
  }

  private flush(): void {
    if (this.pending.length === 0) return
    const text = this.pending.join('\0') + '\0'
    this.pending = []
    this.pendingBytes = 0
    writeSync(this.fd!, text)
  }
}
