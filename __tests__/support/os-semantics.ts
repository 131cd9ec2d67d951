// A FileIO (ADR 0041) with the file-system semantics of another OS, on top of the real file system, and a
// way to run code as if `process.platform` were that OS. Together they test the durable-write rules of
// src/engine/io/platform.ts for Linux, macOS and Windows on whatever machine runs the tests.
import { statSync } from 'node:fs'
import { nodeFileIO, type FileHandleIO, type FileIO } from '../../src/engine/io/file-io.js'

export type SimulatedOS = 'linux' | 'darwin' | 'win32'

/**
 * The OSes this machine can stand in for. The simulation only takes capabilities away from the real file
 * system: Linux can play all three, macOS itself and Windows (it has no `sync -f`), Windows only itself.
 */
export const SIMULATABLE: SimulatedOS[] =
  process.platform === 'win32'
    ? ['win32']
    : process.platform === 'darwin'
      ? ['darwin', 'win32']
      : ['linux', 'darwin', 'win32']

export interface SimulatedIO {
  io: FileIO
  /** The paths whose handles were flushed (files and directories). */
  flushed: string[]
}

function denied(path: string, why: string): Error {
  return Object.assign(new Error(`EPERM: operation not permitted, ${why} '${path}'`), { code: 'EPERM', path })
}

/**
 * Windows: a directory handle cannot be flushed, nor a handle opened read-only (FlushFileBuffers needs write
 * access); there is no `sync` command. macOS: no `sync -f`. Linux: as the real file system does.
 */
export function simulatedIO(os: SimulatedOS): SimulatedIO {
  const flushed: string[] = []
  const wrap = (handle: FileHandleIO, path: string, flags: string | number): FileHandleIO => ({
    write: (buffer, offset, length) => handle.write(buffer, offset, length),
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    stat: () => handle.stat(),
    close: () => handle.close(),
    sync: async () => {
      if (os === 'win32' && statSync(path).isDirectory())
        throw denied(path, 'FlushFileBuffers on a directory')
      if (os === 'win32' && flags === 'r') throw denied(path, 'FlushFileBuffers on a read-only handle')
      await handle.sync()
      flushed.push(path)
    }
  })
  const io: FileIO = {
    ...nodeFileIO,
    open: async (path, flags, mode) => wrap(await nodeFileIO.open(path, flags, mode), path, flags),
    syncFileSystem: async dir => (os === 'linux' ? nodeFileIO.syncFileSystem(dir) : false)
  }
  return { io, flushed }
}

/** Runs `fn` with `process.platform` reading `os`, restoring it afterwards. */
export async function asIf<T>(os: SimulatedOS, fn: () => Promise<T>): Promise<T> {
  const restore = pretend(os)
  try {
    return await fn()
  } finally {
    restore()
  }
}

/** `asIf` for synchronous code. */
export function asIfSync<T>(os: SimulatedOS, fn: () => T): T {
  const restore = pretend(os)
  try {
    return fn()
  } finally {
    restore()
  }
}

function pretend(os: SimulatedOS): () => void {
  const real = Object.getOwnPropertyDescriptor(process, 'platform')
  Object.defineProperty(process, 'platform', { ...real, value: os })
  return () => {
    if (real) Object.defineProperty(process, 'platform', real)
  }
}
