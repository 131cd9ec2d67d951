// Disk faults injected through the engine's FileIO (ADR 0041): ENOSPC, EACCES, EIO, short writes, failed
// fsyncs and renames at the points of a backup (pack, manifest, swap) and a restore (staging, journal, moves,
// machine key). Each leaves nothing half-written (the old backup, the store as it was, or a journalled commit
// the next run finishes), no temp file the next run does not remove, and a clear IO_ERROR naming the path
// and what to do; disk-full and permission errors are not retried.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createBackupRestorer,
  type BackupOptions,
  type LicenseBackupError,
  type RestoreOptions
} from '../../src/engine/index.js'
import { createStoredMachineKey, loadStoredMachineKey } from '../../src/engine/machine-key/index.js'
import { withFileIO } from '../../src/engine/io/file-io.js'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { generateStore } from '../../src/fixtures/store.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { registerSecret } from '../support/secret-scan.js'
import {
  backupState,
  classifyBackup,
  classifyStore,
  resetDir,
  snapshot,
  type BackupState
} from './crash-support.js'
import { faultyIO, type FaultRule } from './faults-support.js'

const TOKEN = 'faults-token-8c2b1'
registerSecret(TOKEN)
const engine = createBackupRestorer()

let root: string
let server: LicenseServer
let jwksFile: string
let store: string
let oldBackup: string
let target: string
let targetTemplate: string
const known: {
  old?: BackupState
  new?: BackupState
  oldStore?: Record<string, string>
  newStore?: Record<string, string>
} = {}

/**
 * A lease longer than the licenses' own validity, so each copy's exp is its license's own (ADR 0160) and a
 * rerun's copies are the first run's bytes, at any moment.
 */
const LONGER_THAN_THE_LICENSES = 20 * 365 * 86_400_000

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lb-faults-'))
  const issuer = createIssuer({ kid: 'faults-issuer' })
  const before = await generateStore(join(root, 'before'), issuer, { count: 12, seed: 21 })
  const now = await generateStore(join(root, 'store'), issuer, { count: 20, seed: 22 })
  store = now.dir
  jwksFile = join(root, 'issuer.jwks.json')
  await writeFile(jwksFile, JSON.stringify(issuer.jwks()))
  server = await createLicenseServer({
    issuer,
    database: join(root, 'server.db'),
    tokens: [TOKEN],
    leaseMs: LONGER_THAN_THE_LICENSES
  })
  oldBackup = join(root, 'old-backup')
  await engine.backup({ store: before.dir, path: oldBackup, trust: { jwksFile } })
  known.old = await backupState(oldBackup)
  const fresh = join(root, 'new-backup')
  await engine.backup({ store, path: fresh, trust: { jwksFile } })
  known.new = await backupState(fresh)

  targetTemplate = join(root, 'target-template')
  await cp(before.dir, targetTemplate, { recursive: true })
  await createStoredMachineKey(targetTemplate)
  known.oldStore = await snapshot(targetTemplate)
  target = join(root, 'target')
  await resetDir(targetTemplate, target)
  await engine.restore(restoreOptions())
  known.newStore = await snapshot(target)
}, 60_000)

afterAll(async () => {
  await server?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

const out = (): string => join(root, 'out')
const backupPath = (): string => join(out(), 'backup')

function backupOptions(): BackupOptions {
  return { store, path: backupPath(), overwrite: true, trust: { jwksFile } }
}

function restoreOptions(individualize = false): RestoreOptions {
  return {
    store: target,
    path: join(root, 'new-backup'),
    individualize,
    service: { url: server.url, token: TOKEN },
    trust: { jwksFile }
  }
}

async function failure(run: Promise<unknown>): Promise<LicenseBackupError> {
  const error = (await run.then(
    () => undefined,
    (err: unknown) => err
  )) as LicenseBackupError | undefined
  if (!error) throw new Error('the run succeeded despite the injected fault')
  return error
}

const NOT_RETRIED = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EDQUOT', 'EROFS'])

function expectNotRetried(faults: ReturnType<typeof faultyIO>, rules: FaultRule[]): void {
  expect(faults.triggered()).toEqual(rules.map(() => true))
  for (const rule of rules) {
    if (rule.code && NOT_RETRIED.has(rule.code)) expect(faults.matching(rule)).toBe(rule.nth ?? 1)
  }
}

describe('backup under disk faults', () => {
  const cases: Array<{ name: string; rules: FaultRule[]; advice: RegExp; leaves?: 'parked' }> = [
    {
      name: 'disk full while writing the pack',
      rules: [{ op: 'write', path: /licenses\.tar\.gz$/, code: 'ENOSPC' }],
      advice: /free space/
    },
    {
      name: 'a short write, then disk full, while writing the pack',
      rules: [
        { op: 'write', path: /licenses\.tar\.gz$/, short: true },
        { op: 'write', path: /licenses\.tar\.gz$/, nth: 2, code: 'ENOSPC' }
      ],
      advice: /free space/
    },
    {
      name: 'a failed fsync of the pack',
      rules: [{ op: 'sync', path: /licenses\.tar\.gz$/, code: 'EIO' }],
      advice: /check the folder/
    },
    {
      name: 'no permission to create the manifest',
      rules: [{ op: 'open', path: /manifest\.json\.tmp-/, code: 'EACCES' }],
      advice: /permissions/
    },
    {
      name: 'disk full writing the manifest',
      rules: [{ op: 'write', path: /manifest\.json\.tmp-/, code: 'ENOSPC' }],
      advice: /free space/
    },
    {
      name: 'a failed rename of the manifest into place',
      rules: [{ op: 'rename', path: /manifest\.json\.tmp-/, code: 'EIO' }],
      advice: /check the folder/
    },
    {
      name: 'the old backup cannot be parked (first rename of the swap)',
      rules: [{ op: 'rename', path: /\/backup$/, code: 'EACCES' }],
      advice: /permissions/
    },
    {
      name: 'the new backup cannot be renamed in (second rename)',
      rules: [{ op: 'rename', path: /\.lb-new-[0-9a-f]+$/, code: 'EIO' }],
      advice: /check the folder/
    },
    {
      name: 'the second rename and the undo both fail',
      rules: [
        { op: 'rename', path: /\.lb-new-[0-9a-f]+$/, code: 'EIO' },
        { op: 'rename', path: /\.lb-old-[0-9a-f]+$/, code: 'EIO' }
      ],
      advice: /check the folder/,
      leaves: 'parked'
    },
    {
      name: 'disk full creating the build folder',
      rules: [{ op: 'mkdir', path: /\.lb-new-[0-9a-f]+$/, code: 'ENOSPC' }],
      advice: /free space/
    }
  ]

  it.each(cases)(
    '$name: IO_ERROR naming the path, the old backup intact, leftovers swept by the next run',
    async ({ rules, advice, leaves }) => {
      await rm(out(), { recursive: true, force: true })
      await resetDir(oldBackup, backupPath())
      const faults = faultyIO(rules)
      const error = await failure(withFileIO(faults.io, () => engine.backup(backupOptions())))
      expect(error.code).toBe('IO_ERROR')
      expect(error.message).toContain(backupPath())
      expect(error.message).toContain(rules.find(rule => rule.code)!.code!)
      expect(error.message).toMatch(advice)
      expectNotRetried(faults, rules)
      expect(await classifyBackup(backupPath(), { old: known.old!, new: known.new! })).toBe(leaves ?? 'old')
      const left = (await readdir(out())).filter(name => name !== 'backup')
      if (!leaves) expect(left).toEqual([])
      expect(await readdir(store)).not.toContain('.license-backup')

      await engine.backup(backupOptions())
      expect(await classifyBackup(backupPath(), { old: known.old!, new: known.new! })).toBe('new')
      expect(await readdir(out())).toEqual(['backup'])
    }
  )

  it('a short write alone is completed: the backup is whole and exactly the expected one', async () => {
    await rm(out(), { recursive: true, force: true })
    const rule: FaultRule = { op: 'write', path: /licenses\.tar\.gz$/, short: true }
    const faults = faultyIO([rule])
    await withFileIO(faults.io, () => engine.backup(backupOptions()))
    expect(faults.triggered()).toEqual([true])
    expect(faults.matching(rule)).toBeGreaterThan(1)
    expect(await classifyBackup(backupPath(), { new: known.new! })).toBe('new')
  })

  it('a failed fsync of the folder after the swap: an error, and the path holds the new backup whole', async () => {
    await rm(out(), { recursive: true, force: true })
    await resetDir(oldBackup, backupPath())
    const faults = faultyIO([{ op: 'sync', path: new RegExp(`^${out()}$`), code: 'EIO' }])
    const error = await failure(withFileIO(faults.io, () => engine.backup(backupOptions())))
    expect(error.code).toBe('IO_ERROR')
    expect(error.message).toContain(backupPath())
    // The message tells the truth: the new backup is the one in place, not "the earlier one is intact".
    expect(error.message).toMatch(/new backup .* is in place/)
    expect(await classifyBackup(backupPath(), { old: known.old!, new: known.new! })).toBe('new')
    await engine.backup(backupOptions())
    expect(await readdir(out())).toEqual(['backup'])
  })

  it('no permission to take the store lock: IO_ERROR naming the lock file, nothing written', async () => {
    await rm(out(), { recursive: true, force: true })
    const rule: FaultRule = { op: 'open', path: /\.license-backup\/lock/, code: 'EACCES' }
    const faults = faultyIO([rule])
    const error = await failure(withFileIO(faults.io, () => engine.backup(backupOptions())))
    expect(error.code).toBe('IO_ERROR')
    expect(error.message).toContain(join(store, '.license-backup/lock'))
    expect(error.message).toMatch(/permissions/)
    expectNotRetried(faults, [rule])
    expect(await readdir(store)).not.toContain('.license-backup')
  })
})

describe('restore under disk faults', () => {
  const before: Array<{ name: string; rules: FaultRule[]; file: RegExp; advice: RegExp }> = [
    {
      name: 'disk full writing a staged license',
      rules: [{ op: 'write', path: /restore\/staging\//, nth: 3, code: 'ENOSPC' }],
      file: /staging\//,
      advice: /free some space/
    },
    {
      name: 'no permission to make a staging folder',
      rules: [{ op: 'mkdir', path: /restore\/staging/, code: 'EACCES' }],
      file: /staging/,
      advice: /write access/
    },
    {
      name: 'a failed sync of the staging (syncfs)',
      rules: [{ op: 'syncFileSystem', path: /staging/, code: 'EIO' }],
      file: /journal\.json/,
      advice: /check the disk/
    },
    {
      name: 'a failed fsync of a staged file (no syncfs)',
      rules: [
        { op: 'syncFileSystem', path: /staging/, unavailable: true },
        { op: 'sync', path: /restore\/staging\/.+/, nth: 2, code: 'EIO' }
      ],
      file: /journal\.json/,
      advice: /check the disk/
    },
    {
      name: 'disk full writing the journal',
      rules: [{ op: 'write', path: /journal\.json\.tmp-/, code: 'ENOSPC' }],
      file: /journal\.json/,
      advice: /free some space/
    },
    {
      name: 'a failed rename of the journal into place',
      rules: [{ op: 'rename', path: /journal\.json\.tmp-/, code: 'EIO' }],
      file: /journal\.json/,
      advice: /check the disk/
    }
  ]

  it.each(before)(
    '$name: IO_ERROR naming the store, its licenses unchanged, nothing staged left',
    async ({ rules, file, advice }) => {
      await resetDir(targetTemplate, target)
      const faults = faultyIO(rules)
      const error = await failure(withFileIO(faults.io, () => engine.restore(restoreOptions())))
      expect(error.code).toBe('IO_ERROR')
      expect(error.message).toContain(target)
      expect(error.message).toMatch(file)
      expect(error.message).toMatch(advice)
      expect(error.message).toMatch(/licenses are as they were/)
      expectNotRetried(faults, rules)
      expect(await snapshot(target)).toEqual(known.oldStore)
      expect(
        Object.keys(await snapshot(target, { withState: true })).filter(p => p.startsWith('.license-backup/'))
      ).toEqual(['.license-backup/machine.json'])
      await engine.restore(restoreOptions())
      expect(await snapshot(target)).toEqual(known.newStore)
    }
  )

  const after: Array<{ name: string; rules: FaultRule[] }> = [
    {
      name: 'a failed move of a license into the store',
      rules: [{ op: 'rename', path: /restore\/staging\//, nth: 3, code: 'EIO' }]
    },
    {
      name: 'no permission to make a folder in the store',
      rules: [{ op: 'mkdir', path: /^(?!.*\.license-backup)/, nth: 2, code: 'EACCES' }]
    },
    { name: 'a failed sync after the moves', rules: [{ op: 'syncFileSystem', path: /target$/, code: 'EIO' }] }
  ]

  it.each(after)(
    '$name (past the commit point): IO_ERROR saying the next run completes it, which it does',
    async ({ rules }) => {
      await resetDir(targetTemplate, target)
      const faults = faultyIO(rules)
      const error = await failure(withFileIO(faults.io, () => engine.restore(restoreOptions())))
      expect(error.code).toBe('IO_ERROR')
      expect(error.message).toContain(target)
      expect(error.message).toMatch(
        /committed but not finished.*run the restore, or any backup of this store, again/
      )
      expectNotRetried(faults, rules)
      // The journal and the staging are kept: the next run finishes the commit before anything else.
      expect(await classifyStore(target, { old: known.oldStore!, new: known.newStore! })).not.toBe('old')
      await engine.restore(restoreOptions())
      expect(await snapshot(target)).toEqual(known.newStore)
      expect(
        Object.keys(await snapshot(target, { withState: true })).filter(p => p.startsWith('.license-backup/'))
      ).toEqual(['.license-backup/machine.json'])
    }
  )

  it('disk full creating the machine key: IO_ERROR naming it, no key left in a temp file, nothing restored', async () => {
    await resetDir(targetTemplate, target)
    await rm(join(target, '.license-backup'), { recursive: true })
    const rule: FaultRule = { op: 'write', path: /machine\.json\.tmp-/, code: 'ENOSPC' }
    const faults = faultyIO([rule])
    const error = await failure(withFileIO(faults.io, () => engine.restore(restoreOptions(true))))
    expect(error.code).toBe('IO_ERROR')
    expect(error.message).toContain(join(target, '.license-backup/machine.json'))
    expect(error.message).toMatch(/disk space and permissions/)
    expectNotRetried(faults, [rule])
    expect(await loadStoredMachineKey(target)).toBeUndefined()
    expect(Object.keys(await snapshot(target, { withState: true }))).toEqual(Object.keys(known.oldStore!))
  })

  it('a short write of a staged license is completed: the restore is whole', async () => {
    await resetDir(targetTemplate, target)
    const faults = faultyIO([{ op: 'write', path: /restore\/staging\//, nth: 2, short: true }])
    await withFileIO(faults.io, () => engine.restore(restoreOptions()))
    expect(faults.triggered()).toEqual([true])
    expect(await snapshot(target)).toEqual(known.newStore)
  })
})

describe('injection is per run', () => {
  it('a run with faults does not affect a run beside it', async () => {
    await rm(out(), { recursive: true, force: true })
    await mkdir(out(), { recursive: true })
    const other = join(root, 'other-backup')
    await rm(other, { recursive: true, force: true })
    const faults = faultyIO([{ op: 'write', path: /licenses\.tar\.gz$/, code: 'ENOSPC' }])
    const [failed, fine] = await Promise.allSettled([
      withFileIO(faults.io, () => engine.backup(backupOptions())),
      engine.backup({ store: join(root, 'before'), path: other, trust: { jwksFile } })
    ])
    expect(failed.status).toBe('rejected')
    expect(fine.status).toBe('fulfilled')
  })
})
