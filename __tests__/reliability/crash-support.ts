// Support for the crash-consistency harness: the child process (bundled once), kills, and the known states a
// backup folder and a store may be in after a kill.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cp, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { BackupOptions, ReleaseOptions, RenewOptions, RestoreOptions } from '../../src/engine/index.js'
import { bundle } from '../../scripts/bundle.mjs'

// npm test runs from the repository's root.
const REPO = resolve('.')

export type Job =
  | { op: 'backup'; options: BackupOptions }
  | { op: 'restore'; options: RestoreOptions }
  | { op: 'release'; options: ReleaseOptions }
  | { op: 'renew'; options: RenewOptions }

/** How a child run ended: killed, or finished with what it printed. */
export interface ChildRun {
  killed: boolean
  exitCode: number | null
  report?: { ok: boolean; code?: string; message?: string; ms: number; passed: Record<string, number> }
  stderr: string
}

/**
 * Bundles a child entry of `__tests__/support/` with the project's sources (dependencies stay external), as
 * scripts/run-ts.mjs does, into a folder of this test process's own.
 */
export async function buildChild(entry = 'crash-child'): Promise<string> {
  const outfile = join(REPO, '.build', `${entry}-${process.pid}`, `${entry}.mjs`)
  await bundle(join(REPO, `__tests__/support/${entry}.ts`), outfile)
  return outfile
}

/**
 * Runs a job in a child. `crashAt` sets LICENSE_BACKUP_CRASH_AT (the child kills itself there); `killAfterMs`
 * has the parent send SIGKILL that long after the child says READY (just before the operation starts).
 */
export function runChild(
  child: string,
  job: Job,
  kill: { crashAt?: string; killAfterMs?: number } = {}
): Promise<ChildRun> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env['LICENSE_BACKUP_CRASH_AT']
  if (kill.crashAt) env['LICENSE_BACKUP_CRASH_AT'] = kill.crashAt
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [child, JSON.stringify(job)], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    let timer: NodeJS.Timeout | undefined
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    proc.stderr.on('data', (chunk: Buffer) => {
      const before = stderr
      stderr += chunk.toString()
      if (kill.killAfterMs !== undefined && !before.includes('READY') && stderr.includes('READY')) {
        timer = setTimeout(() => proc.kill('SIGKILL'), kill.killAfterMs)
      }
    })
    proc.on('error', fail)
    proc.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer)
      const killed = signal === 'SIGKILL'
      const line = stdout.trim().split('\n').pop()
      done({
        killed,
        exitCode: code,
        stderr,
        ...(!killed && line ? { report: JSON.parse(line) as ChildRun['report'] } : {})
      })
    })
  })
}

/** Every file under `dir` (relative path → SHA-256), optionally without the store's own folder. */
export async function snapshot(
  dir: string,
  options: { withState?: boolean } = {}
): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  let entries
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true })
  } catch {
    return out
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const full = join(entry.parentPath, entry.name)
    const relative = full.slice(dir.length + 1)
    if (!options.withState && relative.startsWith('.license-backup/')) continue
    out[relative] = createHash('sha256')
      .update(await readFile(full))
      .digest('hex')
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}

export async function resetDir(template: string, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
  await mkdir(dirname(dir), { recursive: true })
  await cp(template, dir, { recursive: true })
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false
  )
}

/** A backup folder's identity: its manifest without `created` and `source.store`, its files and its pack's digest. */
export interface BackupState {
  manifest: string
  files: string[]
  packSha256: string
}

export async function backupState(path: string): Promise<BackupState> {
  const files = (await readdir(path)).sort()
  const text = await readFile(join(path, 'manifest.json'), 'utf8')
  const manifest = JSON.parse(text) as { created: string; pack: { file: string }; source: object }
  const pack = await readFile(join(path, manifest.pack.file))
  return {
    // Each lane backs up its own copy of the store: the source folder's name differs, nothing else.
    manifest: JSON.stringify({ ...manifest, created: '', source: { ...manifest.source, store: '' } }),
    files,
    packSha256: createHash('sha256').update(pack).digest('hex')
  }
}

/**
 * What is at a backup path after a kill: exactly the old backup, exactly the new one, or (only between the
 * two renames of a swap) nothing with the old one parked beside it. Anything else is a mix: an error.
 */
export async function classifyBackup(
  path: string,
  known: { old?: BackupState; new: BackupState }
): Promise<'old' | 'new' | 'absent' | 'parked'> {
  if (!(await exists(path))) {
    const siblings = await readdir(dirname(path))
    const parked = siblings.filter(name => name.startsWith(`${basename(path)}.lb-old-`))
    if (parked.length === 0) return 'absent'
    for (const name of parked) {
      if (known.old && isSame(await backupState(join(dirname(path), name)).catch(() => undefined), known.old))
        return 'parked'
    }
    throw new Error(
      `${path} is missing and no parked copy of the old backup is beside it: ${siblings.join(', ')}`
    )
  }
  const state = await backupState(path).catch((error: Error) => {
    throw new Error(`${path} is not a whole backup: ${error.message}`)
  })
  if (known.old && isSame(state, known.old)) return 'old'
  if (isSame(state, known.new)) return 'new'
  throw new Error(`${path} is neither the old backup nor the new one: ${JSON.stringify(state.files)}`)
}

function isSame(a: BackupState | undefined, b: BackupState): boolean {
  return (
    a !== undefined &&
    a.manifest === b.manifest &&
    a.packSha256 === b.packSha256 &&
    JSON.stringify(a.files) === JSON.stringify(b.files)
  )
}

/**
 * What a store's licenses are after a kill: exactly the old set, exactly the restored set, or, only while a
 * journal exists (past the commit point, ADR 0040), old files partly replaced by restored ones, which the
 * next run finishes before anything else. Anything else is an error.
 */
export async function classifyStore(
  store: string,
  known: { old: Record<string, string>; new: Record<string, string> }
): Promise<'old' | 'new' | 'committing'> {
  const now = await snapshot(store)
  const same = (a: Record<string, string>, b: Record<string, string>): boolean =>
    JSON.stringify(a) === JSON.stringify(b)
  if (same(now, known.old)) return 'old'
  if (same(now, known.new)) return 'new'
  const journal = join(store, '.license-backup/restore/journal.json')
  if (!(await exists(journal))) {
    throw new Error(`the store ${store} is a mix of old and restored licenses with no journal to finish it`)
  }
  const paths = new Set([...Object.keys(known.old), ...Object.keys(known.new)])
  for (const [path, digest] of Object.entries(now)) {
    if (!paths.has(path) || (digest !== known.old[path] && digest !== known.new[path])) {
      throw new Error(`the store ${store} holds ${path} in neither the old nor the restored state`)
    }
  }
  return 'committing'
}

/** The kills planned for a point passed `count` times in a clean run: the first, the middle and the last. */
export function plannedKills(passed: Record<string, number>, only?: (point: string) => boolean): string[] {
  const plan: string[] = []
  for (const [point, count] of Object.entries(passed).sort()) {
    if (only && !only(point)) continue
    for (const n of new Set([1, Math.ceil(count / 2), count])) plan.push(`${point}#${n}`)
  }
  return plan
}

/** A seeded generator, so a failing random kill can be replayed (the seed is printed on failure). */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
