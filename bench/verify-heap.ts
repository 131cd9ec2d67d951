// The verify step's main isolate, measured (issue 27, ADR 0235): a store of N licenses backed up, then
// verified with a full GC forced every 1,000 licenses, printing the largest live heap after those GCs,
// the largest heap V8 held, and the process's peak RSS. Not a benchmark: the forced GCs slow it.
//   node --expose-gc scripts/run-ts.mjs bench/verify-heap.ts 20000
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBackupRestorer } from '../src/engine/index.js'
import { createIssuer } from '../src/fixtures/issuer.js'
import { generateStore } from '../src/fixtures/store.js'

const count = Number(process.argv[2] ?? 20_000)
const collect = (globalThis as { gc?: () => void }).gc
if (!collect) throw new Error('run with node --expose-gc')
const root = await mkdtemp(join(tmpdir(), 'lb-verify-heap-'))
try {
  const issuer = createIssuer()
  const jwksFile = join(root, 'jwks.json')
  await writeFile(jwksFile, JSON.stringify(issuer.jwks()))
  await generateStore(join(root, 'store'), issuer, { count, seed: count })
  const path = join(root, 'backup')
  await createBackupRestorer().backup({ store: join(root, 'store'), path })
  collect()
  const before = process.memoryUsage()
  let live = 0
  let held = 0
  const sample = (): void => {
    collect()
    const now = process.memoryUsage()
    live = Math.max(live, now.heapUsed)
    held = Math.max(held, now.heapTotal)
  }
  const engine = createBackupRestorer(event => {
    if (event.type === 'PROGRESS') sample()
  })
  await engine.verify({ path, trust: { jwksFile } })
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`
  console.log(
    `${count} licenses: live heap after GC ${mb(before.heapUsed)} before, at most ${mb(live)} during the verify` +
      ` (heap held at most ${mb(held)}); peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`
  )
} finally {
  await rm(root, { recursive: true, force: true })
}
