import { afterEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { isWithin } from '../../src/engine/backup/paths.js'
import { fsyncFile, writeFileAtomic } from '../../src/engine/io/durable.js'
import { nodeFileIO, withFileIO } from '../../src/engine/io/file-io.js'
import {
  canSyncDirectory,
  canSyncFileSystem,
  flushOpenFlags,
  foldsCase,
  openFollowsLinks,
  ownerOnlyCommand,
  restrictToOwner
} from '../../src/engine/io/platform.js'
import { createStoredMachineKey } from '../../src/engine/machine-key/index.js'
import { commitStaged, openStaging } from '../../src/engine/restore/commit.js'
import { readLicenseFileSync } from '../../src/engine/store/read.js'
import { asIf, asIfSync, SIMULATABLE, simulatedIO, type SimulatedOS } from '../support/os-semantics.js'
import { itOnPosix, itOnWindows } from '../support/platform.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lb-platform-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const OSES: SimulatedOS[] = ['linux', 'darwin', 'win32']

describe('platform rules', () => {
  it('fsyncs directories on POSIX systems only, and runs `sync -f` on Linux only', () => {
    expect(OSES.map(os => [os, canSyncDirectory(os), canSyncFileSystem(os)])).toEqual([
      ['linux', true, true],
      ['darwin', true, false],
      ['win32', false, false]
    ])
  })

  it('opens a file it only flushes read-only on POSIX, read-write on Windows', () => {
    expect(OSES.map(os => flushOpenFlags(os))).toEqual(['r', 'r', 'r+'])
  })

  it('restricts a private file with icacls on Windows, granting the user alone, and by mode elsewhere', () => {
    expect(ownerOnlyCommand('C:\\store\\.license-backup\\machine.json.tmp', 'win32', 'runneradmin')).toEqual({
      command: 'icacls',
      args: ['C:\\store\\.license-backup\\machine.json.tmp', '/inheritance:r', '/grant:r', 'runneradmin:F']
    })
    expect(ownerOnlyCommand('/store/x', 'linux', 'u')).toBeUndefined()
    expect(ownerOnlyCommand('/store/x', 'darwin', 'u')).toBeUndefined()
  })

  itOnPosix('icacls does not exist here')(
    'fails with the file named, and an errno, when the ACL cannot be set',
    async () => {
      const file = join(tempDir(), 'key')
      writeFileSync(file, '')
      const failure = restrictToOwner(file, 'win32')
      await expect(failure).rejects.toThrow(`icacls could not restrict ${file} to its owner`)
      await expect(failure).rejects.toMatchObject({ code: 'EACCES' })
    }
  )
})

describe('a backup path apart from the store, by each OS’s path rules', () => {
  it('folds case on Windows and macOS only', () => {
    expect(OSES.map(os => foldsCase(os))).toEqual([false, true, true])
  })

  it('on Windows: drive letters, UNC shares and case', () => {
    expect(isWithin('C:\\store\\backup', 'C:\\store', 'win32')).toBe(true)
    expect(isWithin('c:\\STORE\\backup', 'C:\\store', 'win32')).toBe(true)
    expect(isWithin('C:\\Store', 'c:\\store', 'win32')).toBe(true)
    expect(isWithin('D:\\store\\backup', 'C:\\store', 'win32')).toBe(false)
    expect(isWithin('C:\\store2', 'C:\\store', 'win32')).toBe(false)
    expect(isWithin('C:\\backup', 'C:\\store', 'win32')).toBe(false)
    expect(isWithin('\\\\server\\share\\store\\b', '\\\\server\\share\\store', 'win32')).toBe(true)
    expect(isWithin('\\\\other\\share\\store', '\\\\server\\share\\store', 'win32')).toBe(false)
  })

  it('on macOS: case folded; on Linux: case matters', () => {
    expect(isWithin('/Users/me/Store/backup', '/Users/me/store', 'darwin')).toBe(true)
    expect(isWithin('/srv/Store/backup', '/srv/store', 'linux')).toBe(false)
    expect(isWithin('/srv/store/backup', '/srv/store', 'linux')).toBe(true)
    expect(isWithin('/srv/store-old', '/srv/store', 'linux')).toBe(false)
    expect(isWithin('/srv', '/srv/store', 'darwin')).toBe(false)
  })
})

describe.each(SIMULATABLE)('durable writes with the file-system semantics of %s', os => {
  it('writes a file atomically, flushing its directory only where the OS can', async () => {
    const dir = tempDir()
    const sim = simulatedIO(os)
    const file = join(dir, 'manifest.json')
    await asIf(os, () => withFileIO(sim.io, () => writeFileAtomic(file, 'whole')))
    expect(readFileSync(file, 'utf8')).toBe('whole')
    expect(readdirSync(dir)).toEqual(['manifest.json'])
    expect(sim.flushed.some(path => path.startsWith(`${file}.tmp-`))).toBe(true)
    expect(sim.flushed.includes(dir)).toBe(os !== 'win32')
  })

  it('flushes an existing file through a handle the OS can flush', async () => {
    const file = join(tempDir(), 'a.jwt')
    writeFileSync(file, 'x')
    const sim = simulatedIO(os)
    await asIf(os, () => withFileIO(sim.io, () => fsyncFile(file)))
    expect(sim.flushed).toEqual([file])
  })

  it('commits a restore, file by file where there is no `sync -f`', async () => {
    const store = tempDir()
    const sim = simulatedIO(os)
    const files = [
      { path: 'a/one.jwt', data: Buffer.from('one') },
      { path: 'two.jwt', data: Buffer.from('two') }
    ]
    await asIf(os, () =>
      withFileIO(sim.io, async () => {
        const staging = await openStaging(store)
        for (const file of files) staging.add(file)
        await commitStaged(
          store,
          files.map(f => f.path)
        )
      })
    )
    expect(readFileSync(join(store, 'a/one.jwt'), 'utf8')).toBe('one')
    expect(readFileSync(join(store, 'two.jwt'), 'utf8')).toBe('two')
    const flushedLicenses = sim.flushed.filter(path => path.endsWith('.jwt')).length
    // Linux flushes the whole file system once instead of each file.
    expect(flushedLicenses > 0).toBe(os !== 'linux')
  })
})

describe('reading a license where an open follows links', () => {
  it('is so on Windows only', () => {
    expect(OSES.map(os => openFollowsLinks(os))).toEqual([false, false, true])
  })

  itOnPosix('creating a symbolic link needs a privilege on Windows')(
    'still refuses a link that replaced a license after the walk, as on POSIX',
    () => {
      const store = tempDir()
      writeFileSync(join(store, 'outside'), 'not a license of this store')
      symlinkSync(join(store, 'outside'), join(store, 'l.jwt'))
      // Windows' open: no O_NOFOLLOW, the link is followed.
      const following = {
        openSync: ((path: string, flags: number) =>
          openSync(path, flags & ~constants.O_NOFOLLOW)) as typeof openSync
      }
      expect(() => asIfSync('win32', () => readLicenseFileSync(store, 'l.jwt', following))).toThrow(
        expect.objectContaining({ code: 'STORE_INVALID', message: expect.stringContaining('l.jwt') })
      )
    }
  )
})

describe('`sync -f` on this machine', () => {
  it('is used only where the OS has it', async () => {
    const dir = tempDir()
    expect(await asIf('darwin', () => nodeFileIO.syncFileSystem(dir))).toBe(false)
    expect(await asIf('win32', () => nodeFileIO.syncFileSystem(dir))).toBe(false)
  })
})

describe('the machine key is private to the user', () => {
  itOnPosix('Windows keeps no POSIX mode; its ACL is checked instead')('has mode 0600', async () => {
    const machineKey = await createStoredMachineKey(tempDir())
    expect(statSync(machineKey.file).mode & 0o777).toBe(0o600)
  })

  itOnWindows('ACLs are a Windows feature; POSIX systems check the mode')(
    'has an ACL granting the current user alone, nothing inherited',
    async () => {
      const machineKey = await createStoredMachineKey(tempDir())
      const acl = execFileSync('icacls', [machineKey.file], { encoding: 'utf8' })
      const entries = acl
        .split(/\r?\n/)
        .map(line => line.replace(machineKey.file, '').trim())
        .filter(line => line.includes(':('))
      expect(entries).toHaveLength(1)
      expect(entries[0]).toContain(userInfo().username)
      expect(entries[0]).toContain('(F)')
      expect(entries[0]).not.toContain('(I)')
    }
  )
})
