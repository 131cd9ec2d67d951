import { AsyncLocalStorage } from 'node:async_hooks'
import { execFile } from 'node:child_process'
import type { MakeDirectoryOptions, RmOptions, Stats } from 'node:fs'
import * as fs from 'node:fs/promises'
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs'
import { canSyncFileSystem } from './platform.js'

/**
 * The file operations the engine writes with (ADR 0041): backup folder, pack, manifest, store lock,
 * restore staging, journal and moves, machine key. The Node implementation is the default; a run
 * can be given another one with `withFileIO` (the fault-injection tests do), without any parameter
 * threaded through the engine's call chain.
 */
export interface FileHandleIO {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>
  stat(): Promise<Stats>
  sync(): Promise<void>
  close(): Promise<void>
}

/** The synchronous handle of `FileIO.openSync`. */
export interface SyncFileHandleIO {
  /** Bytes written: may be fewer than asked (see `writeAllSync`). */
  write(buffer: Uint8Array, offset: number, length: number): number
  close(): void
}

export interface FileIO {
  open(path: string, flags: string | number, mode?: number): Promise<FileHandleIO>
  readFile(path: string, encoding: 'utf8'): Promise<string>
  readdir(path: string): Promise<string[]>
  mkdir(path: string, options?: MakeDirectoryOptions): Promise<string | undefined>
  rename(from: string, to: string): Promise<void>
  rm(path: string, options?: RmOptions): Promise<void>
  rmdir(path: string): Promise<void>
  unlink(path: string): Promise<void>
  link(existing: string, path: string): Promise<void>
  lstat(path: string): Promise<Stats>
  stat(path: string): Promise<Stats>
  /** Sets a file's access and modification times (the store lock's refresh). */
  utimes(path: string, atime: Date, mtime: Date): Promise<void>
  /**
   * Synchronous open, mkdir and rename, for paths that create or move one small file per license (the
   * restore's staging and moves, ADR 0052): through the thread pool each call is a promise and a thread
   * hop (~75 µs for an open–write–close here), synchronously ~10 µs. Faults are injected through these as
   * through their asynchronous twins.
   */
  openSync(path: string, flags: string | number, mode?: number): SyncFileHandleIO
  mkdirSync(path: string, options?: MakeDirectoryOptions): string | undefined
  renameSync(from: string, to: string): void
  /**
   * Flushes the whole file system holding `dir` (syncfs(2) through coreutils' `sync -f`, Linux only).
   * Resolves false where that is not available (macOS, Windows, a Linux without it), so the caller fsyncs
   * file by file instead.
   */
  syncFileSystem(dir: string): Promise<boolean>
}

export const nodeFileIO: FileIO = {
  open: (path, flags, mode) => fs.open(path, flags, mode),
  readFile: (path, encoding) => fs.readFile(path, encoding),
  readdir: path => fs.readdir(path),
  mkdir: (path, options) => fs.mkdir(path, options),
  rename: fs.rename,
  rm: fs.rm,
  rmdir: path => fs.rmdir(path),
  unlink: fs.unlink,
  link: fs.link,
  lstat: path => fs.lstat(path),
  stat: path => fs.stat(path),
  utimes: (path, atime, mtime) => fs.utimes(path, atime, mtime),
  openSync: (path, flags, mode) => {
    const fd = openSync(path, flags, mode)
    return {
      write: (buffer, offset, length) => writeSync(fd, buffer, offset, length),
      close: () => closeSync(fd)
    }
  },
  mkdirSync: (path, options) => mkdirSync(path, options),
  renameSync: (from, to) => renameSync(from, to),
  syncFileSystem: dir =>
    new Promise(resolve => {
      if (!canSyncFileSystem()) return resolve(false)
      execFile('sync', ['-f', dir], error => resolve(error === null))
    })
}

const current = new AsyncLocalStorage<FileIO>()

/** The file operations of the run in progress: the injected ones, or Node's. */
export function fileIO(): FileIO {
  return current.getStore() ?? nodeFileIO
}

/** Runs `fn` (a backup or restore) with `io` as its file operations; other runs are not affected. */
export function withFileIO<T>(io: FileIO, fn: () => Promise<T>): Promise<T> {
  return current.run(io, fn)
}

/**
 * Writes all of `data` at the handle's position: `write(2)` may write fewer bytes than asked (a short
 * write, as when a disk fills up), and the rest must follow or the file silently lacks its tail.
 */
export async function writeAll(handle: FileHandleIO, data: Uint8Array): Promise<void> {
  let done = 0
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done)
    if (bytesWritten <= 0) {
      throw Object.assign(new Error(`write made no progress (${done} of ${data.length} bytes written)`), {
        code: 'EIO'
      })
    }
    done += bytesWritten
  }
}

/** `writeAll` for a synchronous handle: writes through short writes. */
export function writeAllSync(handle: SyncFileHandleIO, data: Uint8Array): void {
  let done = 0
  while (done < data.length) {
    const written = handle.write(data, done, data.length - done)
    if (written <= 0) {
      throw Object.assign(new Error(`write made no progress (${done} of ${data.length} bytes written)`), {
        code: 'EIO'
      })
    }
    done += written
  }
}
