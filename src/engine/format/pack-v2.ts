import { join } from 'node:path'
import { crashPoint } from '../io/crash-points.js'
import { encryptingSink } from './age.js'
import { compressingSink } from './gzip.js'
import { packFileV2, type Compression } from './manifest-v2.js'
import { INDEX_MEMBER, INDEX_TAIL, summaryIndexHead, type LicensesSummary } from './pack-index.js'
import { openFileSink, type PackSink } from './pack-sink.js'
import { TAR_END, tarHeader, tarPadding } from './tar-writer.js'

/** A v2 pack being written: tar bytes go in at the top, through gzip and age, to the file. */
export interface PackV2Writer {
  file: string
  /** Where the tar members go. */
  sink: PackSink
  /** Writes the index as the last member and the end-of-archive marker, and seals the file. */
  finish(index: IndexSource): Promise<{ sha256: string; size: number; tarSize: number }>
}

/** The index's content: the licenses' summary (ADR 0225), the restricted list's lines spooled (ADR 0130). */
export interface IndexSource {
  licenses: LicensesSummary
  restricted: SpooledLines
}

export interface SpooledLines {
  /** The lines' size. */
  bytes: number
  /** The spool's size: `bytes`, or less when it holds gzip members of the lines. */
  stored: number
  /** Whether the spool holds gzip members of the lines (ADR 0147), which only a gzip pack takes. */
  gzipped: boolean
  read(): AsyncIterable<Uint8Array>
}

/** The tar stream; a gzip one also takes whole gzip members of tar bytes (ADR 0147). */
interface TarSink extends PackSink {
  writeMembers?(members: AsyncIterable<Uint8Array>, tarBytes: number): Promise<void>
}

/**
 * Opens the v2 pack in `dir`: the file sink at the bottom, age over it when encrypting, gzip over that
 * (compression before encryption: ciphertext does not compress), and a counter of the tar's bytes on top.
 */
export async function openPackV2(
  dir: string,
  options: { compression: Compression; encryptTo?: string[] }
): Promise<PackV2Writer> {
  const file = packFileV2(options.compression, options.encryptTo !== undefined)
  let sink = await openFileSink(join(dir, file))
  if (options.encryptTo) sink = await encryptingSink(sink, options.encryptTo)
  const gzip = options.compression === 'gzip' ? compressingSink(sink) : undefined
  const below = gzip ?? sink
  let tarSize = 0
  const counting: TarSink = {
    write: async chunk => {
      tarSize += chunk.byteLength
      await below.write(chunk)
    },
    close: () => below.close(),
    abort: () => below.abort()
  }
  if (gzip) {
    counting.writeMembers = async (members, tarBytes) => {
      tarSize += tarBytes
      await gzip.writeMembers(members)
    }
  }
  return {
    file,
    sink: counting,
    finish: async index => {
      await writeIndexMember(counting, index)
      crashPoint('backup:index-written')
      await counting.write(TAR_END)
      const digest = await counting.close()
      return { ...digest, tarSize }
    }
  }
}

/** The index member, its restricted list streamed from its spool. */
async function writeIndexMember(sink: TarSink, index: IndexSource): Promise<void> {
  const head = summaryIndexHead(index.licenses)
  const size = head.length + index.restricted.bytes + INDEX_TAIL.length
  await sink.write(tarHeader(INDEX_MEMBER, size))
  await sink.write(Buffer.from(head))
  await writeSpooled(sink, index.restricted)
  await sink.write(Buffer.from(INDEX_TAIL))
  await sink.write(tarPadding(size))
}

async function writeSpooled(sink: TarSink, lines: SpooledLines): Promise<void> {
  let stored = 0
  const counted = async function* (): AsyncGenerator<Uint8Array> {
    for await (const chunk of lines.read()) {
      stored += chunk.byteLength
      yield chunk
    }
  }
  if (!lines.gzipped) {
    for await (const chunk of counted()) await sink.write(chunk)
  } else if (sink.writeMembers) {
    await sink.writeMembers(counted(), lines.bytes)
  } else {
    throw new Error('an index spool of gzip members, for a pack that is not gzip')
  }
  // The header promised a size: a spool that changed under us must not give a malformed member.
  if (stored !== lines.stored) throw new Error(`an index spool holds ${stored} bytes, not ${lines.stored}`)
}
