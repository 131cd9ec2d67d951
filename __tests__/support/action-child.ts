// Child process of __tests__/reliability/crash-artifact.test.ts: runs the action's run() (inputs from the
// environment, the real artifact client) with a stand-in engine whose restore says which folder it reads
// (`RESTORING <path>` on stderr) and then waits, so the parent can SIGKILL the action mid-restore.
import type { BackupRestorer } from '../../src/engine/api.js'
import { run } from '../../src/main.js'

const engine: BackupRestorer = {
  backup: () => Promise.reject(new Error('this child only restores')),
  verify: () => Promise.reject(new Error('this child only restores')),
  release: () => Promise.reject(new Error('this child only restores')),
  renew: () => Promise.reject(new Error('this child only restores')),
  restore: async options => {
    process.stderr.write(`RESTORING ${options.path}\n`)
    return new Promise(() => setInterval(() => undefined, 1000))
  }
}
await run({ createEngine: async () => engine })
