import { join } from 'node:path'
import { crashPoint } from '../io/crash-points.js'
import { encryptingSink } from './age.js'
import { compressingSink } from './gzip.js'
import { packFileV2, type Compression } from './manifest-v2.js'
import { INDEX_MEMBER, indexChunks, type PackIndex } from './pack-index.js'
import { openFileSink, type PackSink } from './pack-sink.js'
import { TAR_END, tarHeader, tarPadding } from './tar-writer.js'

/** A v2 pack being written: tar bytes go in at the top, through gzip and age, to the file. */
export interface PackV2Writer {
  file: string
  /** Where the tar members go. */
  sink: PackSink
  /** Writes the index as the last member and the end-of-archive marker, and seals the file. */
  finish(index: PackIndex): Promise<{ sha256: string; size: number; tarSize: number }>
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
  if (options.compression === 'gzip') sink = compressingSink(sink)
  const below = sink
  let tarSize = 0
  const counting: PackSink = {
    write: async chunk => {
      tarSize += chunk.byteLength
      await below.write(chunk)
    },
    close: () => below.close(),
    abort: () => below.abort()
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

/** The index member, streamed: its size is summed from its pieces first, then the pieces are written. */
async function writeIndexMember(sink: PackSink, index: PackIndex): Promise<void> {
  let size = 0
  for (const piece of indexChunks(index)) size += Buffer.byteLength(piece)
  await sink.write(tarHeader(INDEX_MEMBER, size))
  for (const piece of indexChunks(index)) await sink.write(Buffer.from(piece))
  await sink.write(tarPadding(size))
}
