import { createReadStream } from 'node:fs'

/**
 * The lines of a file this run wrote (a restore's spools), a megabyte's worth at a time, so that no
 * list of them is held whole. The file ends with a newline; a last line without one means the file was
 * cut short, which is an error.
 */
export async function* lineChunks(file: string): AsyncGenerator<string[]> {
  let rest = ''
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + (chunk as string)).split('\n')
    rest = lines.pop()!
    if (lines.length > 0) yield lines
  }
  if (rest.length > 0) throw new Error(`${file} ends in the middle of a line`)
}
