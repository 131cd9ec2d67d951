import { once } from 'node:events'
import { Readable, type TransformOptions } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { createGunzip, createGzip, gzip, gzipSync, type ZlibOptions } from 'node:zlib'
import { LicenseBackupError } from '../errors.js'
import { crashPoint } from '../io/crash-points.js'
import type { PackSink } from './pack-sink.js'
import { message } from '../message.js'

/**
 * gzip around the tar, as a stream on zlib's thread pool (ADR 0081), at level 5 (ADR 0131). Deterministic: zlib's gzip header
 * holds no name and a zero mtime; its OS byte, which zlib sets per platform, is written as 3 (Unix)
 * everywhere, so the same tar gives the same bytes on every runner of one Node version.
 */
export const GZIP_LEVEL = 5
const OS_BYTE = 9
const OS_UNIX = 3

/**
 * A gzip stream of several members (RFC 1952, section 2.2): what is written is deflated into the current
 * member; `writeMembers` ends it and passes whole members made elsewhere (`gzipMember`) straight through,
 * and the next write starts a new member (ADR 0147). gzip, tar and Node read such a stream as one.
 */
export interface GzipSink extends PackSink {
  writeMembers(members: AsyncIterable<Uint8Array>): Promise<void>
}

/** A sink that gzips everything written to it into `inner`. */
export function compressingSink(inner: PackSink): GzipSink {
  let member: Member | undefined
  const endMember = async (): Promise<void> => {
    const ending = member
    member = undefined
    await ending?.end()
  }
  return {
    write: chunk => (member ??= openMember(inner)).write(chunk),
    writeMembers: async members => {
      await endMember()
      for await (const bytes of members) await inner.write(bytes)
    },
    close: async () => {
      await endMember()
      return inner.close()
    },
    abort: async () => {
      await member?.abort()
      await inner.abort()
    }
  }
}

interface Member {
  write(chunk: Uint8Array): Promise<void>
  end(): Promise<void>
  abort(): Promise<void>
}

function openMember(inner: PackSink): Member {
  // A few MiB of buffer lets the backup read the next runs while zlib deflates on its thread; with the
  // 16 KiB default every run waited for a drain, and reading and deflating took turns (ADR 0131).
  // zlib's streams are Transforms and take its buffer options; Node's types list only zlib's own.
  const options: ZlibOptions & TransformOptions = {
    level: GZIP_LEVEL,
    chunkSize: 256 * 1024,
    highWaterMark: 4 * 1024 * 1024
  }
  const gzip = createGzip(options)
  let position = 0
  const pump = (async () => {
    for await (const chunk of gzip as AsyncIterable<Buffer>) {
      let bytes = chunk
      if (position <= OS_BYTE && position + bytes.length > OS_BYTE) {
        bytes = Buffer.from(bytes)
        bytes[OS_BYTE - position] = OS_UNIX
      }
      position += bytes.length
      await inner.write(bytes)
      crashPoint('backup:compressed-chunk')
    }
  })()
  // A failed pump surfaces at the next write or at the end; keep it from being an unhandled rejection.
  let failed: unknown
  const pumpFailed = new AbortController()
  pump.catch(error => {
    failed = error
    pumpFailed.abort()
  })
  return {
    write: async chunk => {
      if (failed !== undefined) throw failed
      if (gzip.write(chunk)) return
      // Wait for zlib to drain, or for the pump to fail (then nothing drains). Not a race with the pump's
      // promise: each race would add a reaction to it that lives until the end (memory that grows with
      // the pack, ADR 0130).
      await once(gzip, 'drain', { signal: pumpFailed.signal }).catch(() => {})
      if (failed !== undefined) throw failed
    },
    end: async () => {
      gzip.end()
      await pump
    },
    abort: async () => {
      gzip.destroy()
      await pump.catch(() => {})
    }
  }
}

/** One whole gzip member of `data`, at the pack's level and with its OS byte, deflated on zlib's thread pool. */
export async function gzipMember(data: Uint8Array): Promise<Buffer> {
  const member = await promisify(gzip)(data, { level: GZIP_LEVEL })
  member[OS_BYTE] = OS_UNIX
  return member
}

/** `gzipMember` on this thread: the same bytes. */
export function gzipMemberSync(data: Uint8Array): Buffer {
  const member = gzipSync(data, { level: GZIP_LEVEL })
  member[OS_BYTE] = OS_UNIX
  return member
}

/**
 * Decompresses a gzip stream, at most `maxBytes` of output: a stream that would give more (a gzip bomb,
 * or a pack that does not match its manifest) is BACKUP_CORRUPT at the first chunk past the bound,
 * before that chunk is passed on. Damage in the stream is BACKUP_CORRUPT naming `file`.
 */
export async function* gunzipBounded(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
  file: string
): AsyncGenerator<Buffer> {
  const gunzip = createGunzip()
  const feeding = pipeline(Readable.from(source), gunzip).catch((error: unknown) => error)
  let total = 0
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > maxBytes) {
        throw new LicenseBackupError(
          'BACKUP_CORRUPT',
          message`${file} decompresses to more than the ${maxBytes} bytes its manifest declares (a damaged pack or a compression bomb); reading stopped there.`,
          { file }
        )
      }
      yield chunk
    }
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error
    throw new LicenseBackupError(
      'BACKUP_CORRUPT',
      message`${file} is not a valid gzip stream (${(error as Error).message}).`,
      { file, cause: error }
    )
  } finally {
    gunzip.destroy()
    await feeding
  }
}
