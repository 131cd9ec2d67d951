import { execFile } from 'node:child_process'
import { userInfo } from 'node:os'

/**
 * What each OS offers for durable writes and private files (ADR 0110), as pure rules of the platform name,
 * so tests cover every OS's rules on any machine, and the I/O code asks here instead of assuming Linux.
 */
export type OS = NodeJS.Platform

/**
 * A directory can be fsynced, to make a create, rename or unlink in it durable: POSIX systems allow it.
 * Windows cannot open a directory for flushing (EPERM); NTFS journals its metadata instead.
 */
export function canSyncDirectory(os: OS = process.platform): boolean {
  return os !== 'win32'
}

/**
 * `sync -f <dir>` (syncfs(2) through GNU coreutils) flushes a whole file system at once: Linux only. macOS's
 * sync(8) takes no file system and does not wait, and Windows has no sync command.
 */
export function canSyncFileSystem(os: OS = process.platform): boolean {
  return os === 'linux'
}

/**
 * How a file opened only to fsync it is opened. Windows flushes a file only through a handle that may
 * write (FlushFileBuffers), POSIX through any descriptor, so a read-only file can still be flushed there.
 */
export function flushOpenFlags(os: OS = process.platform): 'r' | 'r+' {
  return os === 'win32' ? 'r+' : 'r'
}

/**
 * Two paths that differ only by case name the same file: on the default file systems of Windows (NTFS)
 * and macOS (APFS). Comparisons of paths fold case there, which at worst refuses an unusual case-sensitive
 * volume's distinct folders as overlapping.
 */
export function foldsCase(os: OS = process.platform): boolean {
  return os === 'win32' || os === 'darwin'
}

/**
 * Opening a path follows a symbolic link there, whatever the flags: Windows has no O_NOFOLLOW, so a link
 * is refused by an lstat of the path once it is open. POSIX systems refuse it in the open itself.
 */
export function openFollowsLinks(os: OS = process.platform): boolean {
  return os === 'win32'
}

/**
 * The command that leaves a file readable and writable by the current user alone, where the file's mode
 * does not do it: on Windows `icacls` removes inherited entries and grants the user full control only.
 * Undefined elsewhere: POSIX modes (0600, given when the file is created) already do it.
 */
export function ownerOnlyCommand(
  file: string,
  os: OS = process.platform,
  user: string = userInfo().username
): { command: string; args: string[] } | undefined {
  if (os !== 'win32') return undefined
  return { command: 'icacls', args: [file, '/inheritance:r', '/grant:r', `${user}:F`] }
}

/** Makes `file` private to the current user where its mode cannot (Windows ACLs); rejects when that fails. */
export async function restrictToOwner(file: string, os: OS = process.platform): Promise<void> {
  const restrict = ownerOnlyCommand(file, os)
  if (!restrict) return
  await new Promise<void>((resolve, reject) => {
    execFile(restrict.command, restrict.args, { windowsHide: true }, (error, _stdout, stderr) => {
      if (error === null) return resolve()
      const why = stderr.trim() || error.message
      reject(
        Object.assign(new Error(`${restrict.command} could not restrict ${file} to its owner: ${why}`), {
          code: 'EACCES'
        })
      )
    })
  })
}
