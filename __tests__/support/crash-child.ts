// Child process of the crash-consistency harness (__tests__/reliability/crash.test.ts): runs one backup or
// restore (or release, or renewal) given as JSON in argv[2]. The parent kills it with SIGKILL, either at a named crash point
// (LICENSE_BACKUP_CRASH_AT, src/engine/io/crash-points.ts) or after a random delay counted from READY.
// When it is not killed it prints one JSON line: the outcome, the time the operation took and how often
// each crash point was passed, which the parent uses to plan its kills.
import {
  createBackupRestorer,
  type BackupOptions,
  type ReleaseOptions,
  type RenewOptions,
  type RestoreOptions
} from '../../src/engine/index.js'
import { crashPointsPassed } from '../../src/engine/io/crash-points.js'

type Job =
  | { op: 'backup'; options: BackupOptions }
  | { op: 'restore'; options: RestoreOptions }
  | { op: 'release'; options: ReleaseOptions }
  | { op: 'renew'; options: RenewOptions }

const job = JSON.parse(process.argv[2] ?? '{}') as Job
const engine = createBackupRestorer()
process.stderr.write('READY\n')
const started = performance.now()
let outcome: { ok: true } | { ok: false; code: string; message: string }
try {
  if (job.op === 'backup') await engine.backup(job.options)
  else if (job.op === 'release') await engine.release(job.options)
  else if (job.op === 'renew') await engine.renew(job.options)
  else await engine.restore(job.options)
  outcome = { ok: true }
} catch (error) {
  const { code, message } = error as { code?: string; message: string }
  outcome = { ok: false, code: code ?? 'UNKNOWN', message }
}
const ms = performance.now() - started
process.stdout.write(JSON.stringify({ ...outcome, ms, passed: crashPointsPassed() }) + '\n')
process.exitCode = outcome.ok ? 0 : 1
