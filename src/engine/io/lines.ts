import { createReadStream } from 'node:fs'

/**
 * How much of a spool or journal is read at a time: under V8's large-object size (128 KiB), so each chunk
 * and the lines split from it die young instead of waiting in the large-object space for a full GC.
 */
export const LINE_CHUNK_BYTES = 64 * 1024

/**
 * The lines of a file, LINE_CHUNK_BYTES' worth at a time, so that no list of them is held whole. A file
 * this run wrote (a restore's spools) ends with a newline, and a last line without one means it was cut
 * short: an error, unless `unterminated` is `'yield'` (a journal left by a killed run, whose reader
 * refuses such a line with what it knows of the file).
 */
export async function* lineChunks(
  file: string,
  unterminated: 'throw' | 'yield' = 'throw'
): AsyncGenerator<string[]> {
  let rest = ''
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: LINE_CHUNK_BYTES })) {
    const lines = (rest + (chunk as string)).split('\n')
    rest = lines.pop()!
    if (lines.length > 0) yield lines
  }
  if (rest.length === 0) return
  if (unterminated === 'throw') throw new Error(`${file} ends in the middle of a line`)
  yield [rest]
}
