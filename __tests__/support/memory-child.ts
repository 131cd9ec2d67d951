// Child process of the memory-shape test (__tests__/reliability/flat-memory.test.ts): runs a backup, a
// verified backup, the verify step, a restore, a renewal of the restored copies and their release, of one
// store in a row, under the heap limit its parent gives
// (`--max-old-space-size`). Prints one JSON line: the outcome. Out of heap, it dies before printing.
import { createBackupRestorer } from '../../src/engine/index.js'

interface Job {
  store: string
  backup: string
  target: string
  jwksFile: string
  serviceUrl: string
  token: string
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job
const engine = createBackupRestorer()
let outcome:
  | { ok: true; restored: number; renewed: number; released: number }
  | { ok: false; code: string; message: string }
try {
  const trust = { jwksFile: job.jwksFile }
  // The backups read in batches on worker threads, a fixed number of them ahead (ADR 0217); the verify
  // and the restore check every signature.
  await engine.backup({ store: job.store, path: `${job.backup}-verified`, trust })
  await engine.backup({ store: job.store, path: job.backup })
  await engine.verify({ path: job.backup, trust })
  const service = { url: job.serviceUrl, token: job.token }
  const restored = await engine.restore({
    store: job.target,
    path: job.backup,
    trust,
    individualize: true,
    service
  })
  // The service leases its copies (30 days by default): the renewal renews each, the release gives
  // each back.
  const renewed = await engine.renew({ store: job.target, service })
  const released = await engine.release({ store: job.target, service })
  outcome = { ok: true, restored: restored.restored, renewed: renewed.renewed, released: released.released }
} catch (error) {
  const { code, message } = error as { code?: string; message: string }
  outcome = { ok: false, code: code ?? 'UNKNOWN', message }
}
process.stdout.write(JSON.stringify(outcome) + '\n')
process.exitCode = outcome.ok ? 0 : 1
