// Crash-consistency harness (issue 7, docs/format.md and docs/events.md): runs backups and restores in a child process and kills
// it with SIGKILL at every named crash point (LICENSE_BACKUP_CRASH_AT, src/engine/io/crash-points.ts) and
// at random moments. After each kill the backup path holds exactly the old backup or the new one, and the
// store exactly the old licenses or the restored set (or, past the commit point, a partly moved set that
// every later run finishes first); then the next run succeeds and a further run changes nothing.
// docs/reliability.md has the figures. LICENSE_BACKUP_RANDOM_KILLS sets the random kills per operation.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { createBackupRestorer, type BackupOptions, type RestoreOptions } from '../../src/engine/index.js'
import { createStoredMachineKey, loadStoredMachineKey } from '../../src/engine/machine-key/index.js'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { generateStore } from '../../src/fixtures/store.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { registerSecret } from '../support/secret-scan.js'
import { sshKey } from '../format/support.js'
import {
  backupState,
  buildChild,
  classifyBackup,
  classifyStore,
  exists,
  plannedKills,
  random,
  resetDir,
  runChild,
  snapshot,
  type BackupState,
  type ChildRun
} from './crash-support.js'

const TOKEN = 'crash-harness-token-5d1e'
registerSecret(TOKEN)
const RANDOM_KILLS = Number(process.env['LICENSE_BACKUP_RANDOM_KILLS'] ?? 80)
const SEED = Number(process.env['LICENSE_BACKUP_CRASH_SEED'] ?? Date.now() % 1_000_000)
const LANES = 2

let root: string
let child: string
let issuer: Issuer
let server: LicenseServer
let jwksFile: string
let oldBackup: string
let newBackup: string
let sourceMachine: string
let targetTemplate: string
const known: {
  oldBackup?: BackupState
  newBackup?: BackupState
  oldStore?: Record<string, string>
  newStore?: Record<string, string>
  machine?: string
} = {}
const tally = { named: 0, random: 0, second: 0, runs: 0, started: Date.now() }
const engine = createBackupRestorer()

interface Lane {
  src: string
  out: string
  backup: string
  target: string
  scratch: string
}
const lanes: Lane[] = []

beforeAll(async () => {
  child = await buildChild()
  root = await mkdtemp(join(tmpdir(), 'lb-crash-'))
  issuer = createIssuer({ kid: 'crash-issuer' })
  const before = await generateStore(join(root, 'store-before'), issuer, { count: 20, seed: 11 })
  const source = await generateStore(join(root, 'store-now'), issuer, { count: 30, seed: 12 })
  sourceMachine = source.machine.id
  jwksFile = join(root, 'issuer.jwks.json')
  await writeFile(jwksFile, JSON.stringify(issuer.jwks()))
  // Every killed restore leaves its session open (until it expires): hundreds here, past the default cap.
  // A lease longer than the licenses' own validity: each copy's exp is its license's own (ADR 0160), so a
  // rerun's copies are the first run's bytes, at any moment.
  server = await createLicenseServer({
    issuer,
    database: join(root, 'server.db'),
    tokens: [TOKEN],
    maxSessionsPerToken: 100_000,
    leaseMs: 20 * 365 * 86_400_000
  })

  oldBackup = join(root, 'templates/backup-old')
  newBackup = join(root, 'templates/backup-new')
  // Backups are format v2, signed: the kills land in compression, the index and the signature too.
  signingKey = (await sshKey(root, 'crash-signing')).text
  await engine.backup({ store: before.dir, path: oldBackup, trust: { jwksFile }, sign: signing() })
  await engine.backup({ store: source.dir, path: newBackup, trust: { jwksFile }, sign: signing() })
  known.oldBackup = await backupState(oldBackup)
  known.newBackup = await backupState(newBackup)

  // The restore target: licenses of its own, some at the paths the backup restores (replaced), and one
  // machine key that every run shares, so re-running uses no new machine slot on the service.
  targetTemplate = join(root, 'templates/target')
  await cp(before.dir, targetTemplate, { recursive: true })
  for (const license of source.licenses.filter(l => !l.restricted).slice(0, 8)) {
    await mkdir(join(targetTemplate, license.path, '..'), { recursive: true })
    await cp(join(source.dir, license.path), join(targetTemplate, license.path))
  }
  await rm(join(targetTemplate, '.license-backup'), { recursive: true, force: true })
  const machineKey = await createStoredMachineKey(targetTemplate)
  known.machine = await readFile(machineKey.file, 'utf8')
  known.oldStore = await snapshot(targetTemplate)
  const reference = join(root, 'reference-target')
  await resetDir(targetTemplate, reference)
  const restored = await engine.restore(restoreOptions(reference))
  expect(restored.restored).toBeGreaterThan(10)
  known.newStore = await snapshot(reference)
  expect(known.newStore).not.toEqual(known.oldStore)

  for (let index = 0; index < LANES; index++) {
    const lane = join(root, `lane-${index}`)
    lanes.push({
      src: join(lane, 'src'),
      out: join(lane, 'out'),
      backup: join(lane, 'out/backup'),
      target: join(lane, 'target'),
      scratch: join(lane, 'scratch')
    })
    await cp(source.dir, join(lane, 'src'), { recursive: true })
  }
  await planKills()
}, 90_000)

afterAll(async () => {
  await server?.close()
  if (root) await rm(root, { recursive: true, force: true })
  if (child) await rm(child, { force: true })
  const seconds = ((Date.now() - tally.started) / 1000).toFixed(1)
  const summary = { ...tally, seconds, seed: SEED }
  await mkdir('reports', { recursive: true })
  await writeFile('reports/crash-harness.json', JSON.stringify(summary, null, 2) + '\n')
})

let signingKey = ''
const signing = (): { key: string; source: string } => ({ key: signingKey, source: 'the crash test key' })

function backupOptions(lane: Lane): BackupOptions {
  return { store: lane.src, path: lane.backup, overwrite: true, trust: { jwksFile }, sign: signing() }
}

function restoreOptions(store: string, individualize = false, url = server.url): RestoreOptions {
  return {
    store,
    path: newBackup,
    individualize,
    service: { url, token: TOKEN },
    trust: { jwksFile }
  }
}

interface Kill {
  crashAt?: string
  killAfterMs?: number
  /** A second kill, in the run that recovers from the first. */
  then?: string
}

function count(run: ChildRun, kind: 'named' | 'random' | 'second'): void {
  tally.runs++
  if (run.killed) tally[kind]++
}

function describeKill(kill: Kill): string {
  return kill.crashAt ?? `random ${kill.killAfterMs?.toFixed(1)} ms (seed ${SEED})`
}

/** One backup kill: old backup (or none) at the path, kill, check, recover, check, re-run, check. */
async function backupKill(lane: Lane, kill: Kill, first: boolean): Promise<ChildRun> {
  await rm(lane.out, { recursive: true, force: true })
  if (first) await mkdir(lane.out, { recursive: true })
  else await resetDir(oldBackup, lane.backup)
  const states = { ...(first ? {} : { old: known.oldBackup! }), new: known.newBackup! }
  const run = await runChild(child, { op: 'backup', options: backupOptions(lane) }, kill)
  count(run, kill.crashAt ? 'named' : 'random')
  if (kill.crashAt && !run.killed) throw new Error(`${kill.crashAt} was not reached: ${run.stderr}`)
  if (!run.killed) expect(run.report).toMatchObject({ ok: true })
  await classifyBackup(lane.backup, states).catch((error: Error) => {
    throw new Error(`after a kill at ${describeKill(kill)}: ${error.message}`)
  })
  if (kill.then) {
    const again = await runChild(
      child,
      { op: 'backup', options: backupOptions(lane) },
      { crashAt: kill.then }
    )
    count(again, 'second')
    await classifyBackup(lane.backup, states)
  }
  await engine.backup(backupOptions(lane))
  expect(await classifyBackup(lane.backup, states)).toBe('new')
  expect(await readdir(lane.out)).toEqual(['backup'])
  expect(await exists(join(lane.src, '.license-backup/lock'))).toBe(false)
  await engine.backup(backupOptions(lane))
  expect(await backupState(lane.backup)).toEqual(known.newBackup)
  expect(await readdir(lane.out)).toEqual(['backup'])
  return run
}

/** One restore kill: the target's old licenses, kill, check, recover, check, re-run, check. */
async function restoreKill(lane: Lane, kill: Kill, backupFirst = false): Promise<ChildRun> {
  await resetDir(targetTemplate, lane.target)
  const states = { old: known.oldStore!, new: known.newStore! }
  const run = await runChild(child, { op: 'restore', options: restoreOptions(lane.target) }, kill)
  count(run, kill.crashAt ? 'named' : 'random')
  if (kill.crashAt && !run.killed) throw new Error(`${kill.crashAt} was not reached: ${run.stderr}`)
  if (!run.killed) expect(run.report).toMatchObject({ ok: true })
  await classifyStore(lane.target, states).catch((error: Error) => {
    throw new Error(`after a kill at ${describeKill(kill)}: ${error.message}`)
  })
  expect(await readFile(join(lane.target, '.license-backup/machine.json'), 'utf8')).toBe(known.machine)
  if (kill.then) {
    const again = await runChild(
      child,
      { op: 'restore', options: restoreOptions(lane.target) },
      { crashAt: kill.then }
    )
    count(again, 'second')
    await classifyStore(lane.target, states)
  }
  if (backupFirst) {
    // Any run on the store finishes an interrupted commit first: a backup sees the whole restored set.
    await rm(lane.scratch, { recursive: true, force: true })
    const made = await engine.backup({
      store: lane.target,
      path: lane.scratch,
      trust: { jwksFile },
      format: 'license-backup/v1'
    })
    const seen = await classifyStore(lane.target, states)
    if (seen === 'committing')
      throw new Error(`a backup after ${describeKill(kill)} left the commit unfinished`)
    if (made.manifest.format !== 'license-backup/v1') throw new Error('a v1 backup was asked for')
    const backedUp = Object.fromEntries(made.manifest.licenses.map(license => [license.path, license.sha256]))
    for (const [path, sha256] of Object.entries(backedUp)) expect(states[seen][path]).toBe(sha256)
  }
  await engine.restore(restoreOptions(lane.target))
  expect(await snapshot(lane.target)).toEqual(known.newStore)
  expect(Object.keys(await snapshot(lane.target, { withState: true })).filter(isState)).toEqual([
    '.license-backup/machine.json'
  ])
  const settled = await snapshot(lane.target, { withState: true })
  const again = await engine.restore(restoreOptions(lane.target))
  expect(again.restored).toBe(0)
  expect(await snapshot(lane.target, { withState: true })).toEqual(settled)
  return run
}

function isState(path: string): boolean {
  return path.startsWith('.license-backup/')
}

/** Runs tasks on the lanes, two at a time (one lane each). */
async function onLanes<T>(tasks: T[], run: (lane: Lane, task: T) => Promise<void>): Promise<void> {
  const queue = [...tasks]
  const results = await Promise.allSettled(
    lanes.map(async lane => {
      for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
        try {
          await run(lane, task)
        } catch (error) {
          queue.length = 0
          throw error
        }
      }
    })
  )
  for (const result of results) if (result.status === 'rejected') throw result.reason
}

/** A clean run in a child: how often each crash point is passed, and how long the operation takes. */
async function cleanRun(job: Parameters<typeof runChild>[1]): Promise<NonNullable<ChildRun['report']>> {
  const run = await runChild(child, job)
  expect(run.killed).toBe(false)
  expect(run.report).toMatchObject({ ok: true })
  return run.report!
}

interface BackupTask {
  kill: Kill
  first: boolean
}
interface RestoreTask {
  kill: Kill
  backupFirst: boolean
}
/** The named kills, and how long a clean run of each operation takes: learnt once, before every test. */
const plan = { backup: [] as BackupTask[], restore: [] as RestoreTask[], backupMs: 0, restoreMs: 0 }

/** Clean runs in a child count how often each crash point is passed; a kill is planned at each pass. */
async function planKills(): Promise<void> {
  const lane = lanes[0]!
  await resetDir(oldBackup, lane.backup)
  const overwrite = await cleanRun({ op: 'backup', options: backupOptions(lane) })
  await rm(lane.out, { recursive: true, force: true })
  await mkdir(lane.out)
  const first = await cleanRun({ op: 'backup', options: backupOptions(lane) })
  plan.backupMs = Math.max(overwrite.ms, first.ms)
  expect(Object.keys(overwrite.passed)).toEqual(
    expect.arrayContaining([
      'backup:pack-written',
      'backup:compressed-chunk',
      'backup:index-written',
      'backup:signature:temp-written',
      'backup:signature-written',
      'backup:manifest-written',
      'backup:swap-parked'
    ])
  )
  plan.backup = [
    ...plannedKills(overwrite.passed).map(crashAt => ({ kill: { crashAt }, first: false })),
    ...plannedKills(first.passed).map(crashAt => ({ kill: { crashAt }, first: true })),
    // Kills in the run that sweeps what the first kill left.
    { kill: { crashAt: 'backup:swap-parked#1', then: 'backup:sweep-put-back#1' }, first: false },
    { kill: { crashAt: 'backup:swap-parked#1', then: 'backup:sweep-removed#1' }, first: false },
    { kill: { crashAt: 'backup:swap-renamed-in#1', then: 'backup:sweep-removed#1' }, first: false },
    { kill: { crashAt: 'backup:pack-written#1', then: 'backup:sweep-removed#1' }, first: true }
  ]

  await resetDir(targetTemplate, lane.target)
  const clean = await cleanRun({ op: 'restore', options: restoreOptions(lane.target) })
  plan.restoreMs = clean.ms
  expect(Object.keys(clean.passed)).toEqual(
    expect.arrayContaining(['restore:stage', 'restore:after-journal', 'restore:move'])
  )
  const moves = clean.passed['restore:move']!
  plan.restore = [
    ...plannedKills(clean.passed).map((crashAt, index) => ({
      kill: { crashAt },
      backupFirst: index % 3 === 0
    })),
    // Kills in the run that finishes or rolls back what the first kill left.
    { kill: { crashAt: `restore:move#${Math.ceil(moves / 2)}`, then: 'restore:move#1' }, backupFirst: false },
    { kill: { crashAt: 'restore:move#2', then: 'restore:moved-all#1' }, backupFirst: false },
    { kill: { crashAt: 'restore:after-journal#1', then: 'restore:journal-removed#1' }, backupFirst: false },
    { kill: { crashAt: 'restore:stage#5', then: 'restore:rolled-back#1' }, backupFirst: false },
    { kill: { crashAt: 'restore:journal:temp-written#1', then: 'restore:rolled-back#1' }, backupFirst: true },
    { kill: { crashAt: `restore:move#${moves}`, then: 'restore:move#1' }, backupFirst: true }
  ]
}

describe('backup: kill at every named crash point', () => {
  it('leaves the old backup or the new one, never a mix; the next run finishes; a further run changes nothing', async () => {
    let killed = 0
    await onLanes(plan.backup, async (lane, task) => {
      if ((await backupKill(lane, task.kill, task.first)).killed) killed++
    })
    expect(killed).toBe(plan.backup.length)
  }, 120_000)
})

describe('restore: kill at every named crash point', () => {
  it('leaves the old licenses or the restored set (or a journalled commit the next run finishes); a further run changes nothing', async () => {
    let killed = 0
    await onLanes(plan.restore, async (lane, task) => {
      if ((await restoreKill(lane, task.kill, task.backupFirst)).killed) killed++
    })
    expect(killed).toBe(plan.restore.length)
  }, 120_000)
})

describe('machine key: kill while it is created', () => {
  it.each(['machine-key:temp-written#1', 'machine-key:linked#1'])(
    'at %s: no machine key or a whole one, no key left in a temp file, one machine slot used',
    async crashAt => {
      // A fresh service state: each machine key that reaches the service takes a machine slot.
      const own = await createLicenseServer({
        issuer,
        database: join(root, `server-${crashAt.replace(/\W/g, '-')}.db`),
        tokens: [TOKEN]
      })
      try {
        const store = join(root, `machine-key-${crashAt.replace(/\W/g, '-')}`)
        await resetDir(targetTemplate, store)
        await rm(join(store, '.license-backup'), { recursive: true })
        const options = restoreOptions(store, true, own.url)
        const run = await runChild(child, { op: 'restore', options }, { crashAt })
        count(run, 'named')
        expect(run.killed).toBe(true)
        expect(await snapshot(store)).toEqual(known.oldStore)
        const left = await loadStoredMachineKey(store)
        expect(left === undefined).toBe(crashAt.startsWith('machine-key:temp-written'))

        const outcome = await engine.restore(options)
        const machineKey = await loadStoredMachineKey(store)
        expect(outcome.machineId).toBe(machineKey!.id)
        if (left) expect(machineKey!.id).toBe(left.id)
        expect(Object.keys(await snapshot(store, { withState: true })).filter(isState)).toEqual([
          '.license-backup/machine.json'
        ])
        const mine = Object.keys(await snapshot(store)).filter(path => !(path in known.oldStore!))
        for (const path of Object.keys(known.newStore!)) {
          if (known.newStore![path] === known.oldStore![path]) continue
          const claims = decodeJwt(await readFile(join(store, path), 'utf8'))
          expect(claims.cnf).toEqual({ jkt: machineKey!.id })
          // Only this store's one machine key reached the service (besides machine A, the license's origin).
          const machines = await own.machinesOf(String(claims.jti))
          expect(machines).toContain(machineKey!.id)
          expect(machines.filter(id => id !== machineKey!.id && id !== sourceMachine)).toEqual([])
        }
        expect(mine.length).toBeGreaterThan(0)
        expect((await engine.restore(options)).restored).toBe(0)
      } finally {
        await own.close()
      }
    },
    30_000
  )
})

describe('random kills', () => {
  it(`backup and restore killed at ${RANDOM_KILLS} random moments each: always the old or the new state`, async () => {
    const next = random(SEED)
    const after = (window: number): Kill => ({ killAfterMs: next() * window * 1.2 })
    const jobs: Array<{ op: 'backup' | 'restore'; first: boolean }> = []
    for (let index = 0; index < RANDOM_KILLS; index++) {
      jobs.push({ op: 'backup', first: index % 4 === 0 }, { op: 'restore', first: false })
    }
    const killed = { backup: 0, restore: 0 }
    const attempts = async (tasks: typeof jobs): Promise<void> =>
      onLanes(tasks, async (lane, job) => {
        const run =
          job.op === 'backup'
            ? await backupKill(lane, after(plan.backupMs), job.first)
            : await restoreKill(lane, after(plan.restoreMs))
        if (run.killed) killed[job.op]++
      })
    await attempts(jobs)
    // A delay past the run's end kills nothing: top up until each operation has its share of real kills.
    for (let round = 0; round < 3; round++) {
      const more: typeof jobs = []
      for (let index = killed.backup; index < RANDOM_KILLS; index++) more.push({ op: 'backup', first: false })
      for (let index = killed.restore; index < RANDOM_KILLS; index++)
        more.push({ op: 'restore', first: false })
      if (more.length === 0) break
      await attempts(more)
    }
    expect(killed.backup).toBeGreaterThanOrEqual(RANDOM_KILLS * 0.9)
    expect(killed.restore).toBeGreaterThanOrEqual(RANDOM_KILLS * 0.9)
  }, 170_000)
})

describe('the whole harness', () => {
  it('plans at least 200 kills (CI budget: well under 3 minutes); each test above proves its kills happened', () => {
    const random = 2 * Math.ceil(RANDOM_KILLS * 0.9)
    const total = plan.backup.length + plan.restore.length + 2 + random
    if (RANDOM_KILLS >= 80) expect(total).toBeGreaterThanOrEqual(200)
    expect(plan.backup.length).toBeGreaterThan(20)
    expect(plan.restore.length).toBeGreaterThan(10)
  })
})
