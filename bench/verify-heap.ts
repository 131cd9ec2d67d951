// The verify step's main isolate, measured (issue 27 item 3, docs/performance.md). Two runs, so the
// verify's process holds nothing of the backup's:
//   node scripts/run-ts.mjs bench/verify-heap.ts make 20000 /tmp/heap-20000    (a store and its backup)
//   node --expose-gc scripts/run-ts.mjs bench/verify-heap.ts verify /tmp/heap-20000
// The second verifies the backup with a full GC forced every 1,000 licenses and prints the largest live
// heap after those GCs, the largest heap V8 held, and the process's peak RSS. Not a benchmark: the forced
// GCs slow it. `watch <dir>` forces no GC and samples every 10 ms instead: the largest heap V8 held, the
// largest ArrayBuffer memory (live and garbage), and the peak RSS, as the run leaves them.
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer } from '../src/engine/index.js'
import { createIssuer } from '../src/fixtures/issuer.js'
import { generateStore } from '../src/fixtures/store.js'

const [mode, ...args] = process.argv.slice(2)
if (mode === 'make') await make(Number(args[0]), args[1] ?? '')
else if (mode === 'verify') await measure(args[0] ?? '')
else if (mode === 'watch') await watch(args[0] ?? '')
else throw new Error('usage: verify-heap.ts make <count> <dir> | verify <dir> | watch <dir>')

async function make(count: number, root: string): Promise<void> {
  if (existsSync(join(root, 'backup'))) throw new Error(`${root} already holds a backup`)
  await mkdir(root, { recursive: true })
  const issuer = createIssuer()
  await writeFile(join(root, 'jwks.json'), JSON.stringify(issuer.jwks()))
  await generateStore(join(root, 'store'), issuer, { count, seed: count })
  await createBackupRestorer().backup({ store: join(root, 'store'), path: join(root, 'backup') })
}

async function measure(root: string): Promise<void> {
  const collect = (globalThis as { gc?: () => void }).gc
  if (!collect) throw new Error('run with node --expose-gc')
  let live = 0
  let held = 0
  let licenses = 0
  const engine = createBackupRestorer(event => {
    if (event.type !== 'PROGRESS') return
    collect()
    const now = process.memoryUsage()
    live = Math.max(live, now.heapUsed)
    held = Math.max(held, now.heapTotal)
    licenses = event.total ?? licenses
  })
  await engine.verify({ path: join(root, 'backup'), trust: { jwksFile: join(root, 'jwks.json') } })
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`
  console.log(
    `${licenses} licenses: live heap after GC at most ${mb(live)}, heap held at most ${mb(held)}, ` +
      `peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`
  )
}

async function watch(root: string): Promise<void> {
  let held = 0
  let buffers = 0
  const timer = setInterval(() => {
    const now = process.memoryUsage()
    held = Math.max(held, now.heapTotal)
    buffers = Math.max(buffers, now.arrayBuffers)
  }, 10)
  await createBackupRestorer().verify({
    path: join(root, 'backup'),
    trust: { jwksFile: join(root, 'jwks.json') }
  })
  clearInterval(timer)
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`
  console.log(
    `heap held at most ${mb(held)}, ArrayBuffers at most ${mb(buffers)}, ` +
      `peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`
  )
}
