import { createHash } from 'node:crypto'
import { crashPoint } from '../io/crash-points.js'
import { fileIO, writeAll } from '../io/file-io.js'

/** Where pack bytes go, in order. `close` seals it; `abort` gives up (the caller removes the file). */
export interface PackSink {
  /** The sink may keep `chunk` until it is closed: the caller must not change it afterwards. */
  write(chunk: Uint8Array): Promise<void>
  /** Flushes, fsyncs and closes; returns the SHA-256 (hex) and size of the bytes written to disk. */
  close(): Promise<{ sha256: string; size: number }>
  abort(): Promise<void>
}

const FLUSH_AT = 1024 * 1024

/**
 * Writes a new file (O_EXCL) through a 1 MiB buffer, hashing the bytes as they go, and fsyncs it on
 * close, so the pack's digest costs no second read. Each megabyte is written while the next is filled.
 */
export async function openFileSink(file: string): Promise<PackSink> {
  const handle = await fileIO().open(file, 'wx', 0o644)
  crashPoint('backup:pack-opened')
  const hash = createHash('sha256')
  let pending: Buffer[] = []
  let pendingBytes = 0
  let size = 0
  let closed = false
  // One write on its way at a time: the next megabyte is built while the last is written (ADR 0051). A
  // failed write surfaces at the next flush or at close, before anything more is written.
  let writing: Promise<void> | undefined
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return
    const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    await writing
    writing = writeAll(handle, data).then(() => crashPoint('backup:pack-chunk'))
    writing.catch(() => {})
  }
  return {
    write: async chunk => {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      hash.update(bytes)
      size += bytes.length
      // Kept, not copied: a caller never changes a chunk it has written (PackSink.write).
      pending.push(bytes)
      pendingBytes += bytes.length
      if (pendingBytes >= FLUSH_AT) await flush()
    },
    close: async () => {
      closed = true
      try {
        await flush()
        await writing
        await handle.sync()
      } finally {
        await writing?.catch(() => {})
        await handle.close()
      }
      crashPoint('backup:pack-written')
      return { sha256: hash.digest('hex'), size }
    },
    abort: async () => {
      if (closed) return
      closed = true
      // A write still on its way must end before its file descriptor is closed.
      await writing?.catch(() => {})
      await handle.close().catch(() => {})
    }
  }
}
