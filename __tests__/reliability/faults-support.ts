// A FileIO (ADR 0041) that fails on purpose: rules say which call (operation, path pattern, n-th match)
// fails with which errno, or writes short. Every call is recorded, to prove a failing call is not retried.
import {
  nodeFileIO,
  type FileHandleIO,
  type FileIO,
  type SyncFileHandleIO
} from '../../src/engine/io/file-io.js'

export type FaultOp =
  'open' | 'write' | 'sync' | 'rename' | 'mkdir' | 'rm' | 'unlink' | 'link' | 'syncFileSystem'

export interface FaultRule {
  op: FaultOp
  /** Matched against the call's path (for rename and link: the source). */
  path: RegExp
  /** The n-th matching call fails (1 = the first). */
  nth?: number
  /** The errno code thrown, e.g. ENOSPC. */
  code?: string
  /** A write that writes half of what it was asked (no error). */
  short?: boolean
  /** `syncFileSystem` reports `sync -f` as unavailable (the engine then fsyncs file by file). */
  unavailable?: boolean
}

export interface FaultyIO {
  io: FileIO
  /** How many calls matched the rule's operation and path (the failing one included). */
  matching(rule: FaultRule): number
  /** Whether each rule was triggered. */
  triggered(): boolean[]
}

export function faultyIO(rules: FaultRule[]): FaultyIO {
  const calls: Array<{ op: FaultOp; path: string }> = []
  const seen = new Map<FaultRule, number>()
  const hit = (op: FaultOp, path: string): FaultRule | undefined => {
    calls.push({ op, path })
    let fired: FaultRule | undefined
    for (const rule of rules) {
      if (rule.op !== op || !rule.path.test(path)) continue
      const n = (seen.get(rule) ?? 0) + 1
      seen.set(rule, n)
      if (n === (rule.nth ?? 1)) fired ??= rule
    }
    return fired
  }
  const fault = (rule: FaultRule, op: FaultOp, path: string): Error =>
    Object.assign(new Error(`${rule.code}: injected fault, ${op} '${path}'`), {
      code: rule.code,
      syscall: op,
      path
    })
  const guard = async <T>(op: FaultOp, path: string, call: () => Promise<T>): Promise<T> => {
    const rule = hit(op, path)
    if (rule) throw fault(rule, op, path)
    return call()
  }
  const wrap = (handle: FileHandleIO, path: string): FileHandleIO => ({
    write: async (buffer, offset, length) => {
      const rule = hit('write', path)
      if (rule?.short) return handle.write(buffer, offset, Math.max(1, Math.floor(length / 2)))
      if (rule) throw fault(rule, 'write', path)
      return handle.write(buffer, offset, length)
    },
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    stat: () => handle.stat(),
    sync: () => guard('sync', path, () => handle.sync()),
    close: () => handle.close()
  })
  const guardSync = <T>(op: FaultOp, path: string, call: () => T): T => {
    const rule = hit(op, path)
    if (rule) throw fault(rule, op, path)
    return call()
  }
  const wrapSync = (handle: SyncFileHandleIO, path: string): SyncFileHandleIO => ({
    write: (buffer, offset, length) => {
      const rule = hit('write', path)
      if (rule?.short) return handle.write(buffer, offset, Math.max(1, Math.floor(length / 2)))
      if (rule) throw fault(rule, 'write', path)
      return handle.write(buffer, offset, length)
    },
    close: () => handle.close()
  })
  const io: FileIO = {
    ...nodeFileIO,
    open: (path, flags, mode) =>
      guard('open', path, async () => wrap(await nodeFileIO.open(path, flags, mode), path)),
    openSync: (path, flags, mode) =>
      guardSync('open', path, () => wrapSync(nodeFileIO.openSync(path, flags, mode), path)),
    mkdirSync: (path, options) => guardSync('mkdir', path, () => nodeFileIO.mkdirSync(path, options)),
    renameSync: (from, to) => guardSync('rename', from, () => nodeFileIO.renameSync(from, to)),
    rename: (from, to) => guard('rename', from, () => nodeFileIO.rename(from, to)),
    mkdir: (path, options) => guard('mkdir', path, () => nodeFileIO.mkdir(path, options)),
    rm: (path, options) => guard('rm', path, () => nodeFileIO.rm(path, options)),
    unlink: path => guard('unlink', path, () => nodeFileIO.unlink(path)),
    link: (existing, path) => guard('link', existing, () => nodeFileIO.link(existing, path)),
    syncFileSystem: async dir => {
      const rule = hit('syncFileSystem', dir)
      if (rule?.unavailable) return false
      if (rule) throw fault(rule, 'syncFileSystem', dir)
      return nodeFileIO.syncFileSystem(dir)
    }
  }
  return {
    io,
    matching: rule => calls.filter(call => call.op === rule.op && rule.path.test(call.path)).length,
    triggered: () => rules.map(rule => (seen.get(rule) ?? 0) >= (rule.nth ?? 1))
  }
}
