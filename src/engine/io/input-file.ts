import { constants, type Stats } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'

/**
 * Why an input file (steps file, catalog, JWKS, manifest) cannot be used, as words that follow its name:
 * "is a FIFO (named pipe), not a regular file". The caller wraps it in its own error and advice.
 */
export class InputFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    /** The errno code when the system refused (ENOENT, EACCES…). */
    readonly code?: string,
    cause?: unknown
  ) {
    super(`${file} ${reason}`, cause === undefined ? undefined : { cause })
    this.name = 'InputFileError'
  }
}

export interface InputFileOptions {
  /** Refuse a symbolic link (O_NOFOLLOW) instead of reading what it points to. */
  noFollow?: boolean
  /** Refuse a file larger than this, before reading any of it. */
  maxBytes?: number
}

// O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one; what was opened is
// then judged by fstat of the open descriptor, so nothing can be swapped in between a check and the open.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0)

/**
 * Opens an input file and checks, on the open descriptor, that it is a regular file (ADR 0066). A FIFO,
 * device, socket or folder is refused at once, never waited on or read without end. The caller closes
 * the handle.
 */
export async function openInputFile(
  file: string,
  options: InputFileOptions = {}
): Promise<{ handle: FileHandle; stats: Stats }> {
  let handle: FileHandle
  try {
    handle = await open(file, READ_FLAGS | (options.noFollow ? constants.O_NOFOLLOW : 0))
  } catch (error) {
    throw openFailure(file, error, options)
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) throw new InputFileError(file, `is ${kindOf(stats)}, not a regular file`)
    if (options.maxBytes !== undefined && stats.size > options.maxBytes) {
      throw new InputFileError(file, `is ${stats.size} bytes, over the ${options.maxBytes}-byte limit`)
    }
    return { handle, stats }
  } catch (error) {
    await handle.close()
    throw error
  }
}

/** The whole text of an input file that `openInputFile` accepts. */
export async function readInputFile(file: string, options: InputFileOptions = {}): Promise<string> {
  const { handle } = await openInputFile(file, options)
  try {
    return await handle.readFile('utf8')
  } catch (error) {
    throw openFailure(file, error, options)
  } finally {
    await handle.close()
  }
}

function openFailure(file: string, error: unknown, options: InputFileOptions): unknown {
  const code = (error as NodeJS.ErrnoException).code
  // Anything without an errno is not the file's fault: it goes on as it is (a bug, INTERNAL_ERROR).
  if (typeof code !== 'string') return error
  if (code === 'ENOENT') return new InputFileError(file, 'does not exist', code, error)
  if (code === 'ELOOP' && options.noFollow) return new InputFileError(file, 'is a symbolic link', code, error)
  if (code === 'EACCES' || code === 'EPERM')
    return new InputFileError(file, `cannot be read (${code}: no permission)`, code, error)
  return new InputFileError(file, `cannot be read (${code})`, code, error)
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isDirectory()) return 'a folder'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  if (stats.isSocket()) return 'a socket'
  return 'not a regular file'
}
