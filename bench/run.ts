// npm run bench [-- --million] [--reps N] [--sizes 1000,10000] [--only backup,verified,verify,restore,encrypted,v2,registry,service,cold]
// Measures backup and restore against their physical baselines in one run; prints ratios, writes
// bench/results/latest.json and docs/performance.md. Not part of npm test: figures, not assertions.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { generateIdentity, identityToRecipient } from 'age-encryption'
import { createIssuer, loadIssuer, saveIssuer, type Issuer } from '../src/fixtures/issuer.js'
import { generateStore } from '../src/fixtures/store.js'
import { createLicenseServer } from '../packages/license-server/src/license-server.js'
import {
  createTestCa,
  REGISTRY_TOOLS,
  startRegistry,
  trustCa,
  type TestCa,
  type TestRegistry
} from '../src/local/registry.js'
import { findOnPath, findTool } from '../src/fixtures/tools.js'
import { bundle } from '../scripts/bundle.mjs'
import { staticClosure } from '../scripts/static-imports.js'
import { hasGnuTime, median, medianOf, repeat, timeCommand, type Sample } from './measure.js'
import { makeRow, mergeRows, missingTargets, type Row, type RowInput } from './rows.js'
import { serviceThroughput } from './service.js'

const started = performance.now()
const args = process.argv.slice(2)
if (args.includes('--help')) {
  console.log(`npm run bench -- [--sizes 1000,10000,100000] [--million] [--reps N] [--only PARTS]
  PARTS, comma-separated: ${['backup', 'verified', 'verify', 'restore', 'encrypted', 'v2', 'registry', 'service', 'cold'].join(', ')}
Writes bench/results/latest.json (one row per measure and size, docs/performance.md says how to read it)
and the table of docs/performance.md; with --only, the rows not measured again are kept.`)
  process.exit(0)
}
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
// Three runs a size (the median is kept), one at 100,000 and above, where a run takes minutes.
const repsFlag = flag('--reps')
const repsFor = (n: number): number => (repsFlag ? Number(repsFlag) : n >= 100_000 ? 1 : 3)
const sizes = (flag('--sizes') ?? '1000,10000,100000').split(',').map(Number)
if (args.includes('--million')) sizes.push(1_000_000)
const only = flag('--only')?.split(',')
/** The parts measured per store size (the others: service, cold). */
const ENGINE_PARTS = ['backup', 'verified', 'verify', 'restore', 'encrypted', 'v2', 'registry']
const wanted = (part: string): boolean => only === undefined || only.includes(part)

const work = resolve('bench/work')
const node = process.execPath
const child = resolve('.build/bench-child/bench-child.mjs')
const coldDist = join(work, 'dist')
const token = 'bench-token'
const threads = availableParallelism()

/** Peak RSS of every engine operation, at 100,000 licenses and above (issue 15). */
const RSS_LIMIT_MB = 200
const rows: Row[] = []
/** The baseline sample of a figure that is not a time (a size, an RSS alone). */
const ZERO: Sample = { ms: 0, rssMb: 0 }
// The loopback registry of the `registry` part, started the first time it is needed.
let benchRegistry: { ca: TestCa; registry: TestRegistry } | undefined
const REGISTRY_USER = 'bench'
const REGISTRY_PASSWORD = 'bench-registry-password'

await mkdir(work, { recursive: true })
// This script runs bundled itself (scripts/run-ts.mjs), from the repository's root: the worker's source is named from there.
await bundle('bench/child.ts', child, { worker: resolve('src/engine/verify-pool/verify-worker.ts') })
if (!hasGnuTime())
  log('GNU time (time on Linux, gtime on macOS) is not on PATH: peak RSS of the baselines is not measured.')
const issuer = await theIssuer()
const jwksFile = join(work, 'issuer.jwks.json')
await writeFile(jwksFile, JSON.stringify(issuer.jwks()))
const identity = await generateIdentity()
const recipient = await identityToRecipient(identity)

// The per-size parts need a store of n licenses; without them (--only service, cold) none is made.
const perSize = ENGINE_PARTS.some(wanted)
for (const n of perSize ? sizes : []) {
  const store = await theStore(n)
  await warmUp(store)
  const backup = join(work, `backup-${n}`)
  const encrypted = join(work, `backup-enc-${n}`)
  const target = join(work, `target-${n}`)
  const reps = repsFor(n)
  const trust = { jwksFile }
  log(`\n${n.toLocaleString('en')} licenses`)

  if (wanted('backup')) {
    const gzip = await repeat(reps, () => engine('backup', { store, path: backup, overwrite: true }))
    const gzipPack = await packSize(backup)
    const tarGz = await repeat(reps, () =>
      timeCommand('tar', ['-czf', join(work, `tar-${n}.tar.gz`), '-C', store, '.'])
    )
    const tarGzBytes = (await stat(join(work, `tar-${n}.tar.gz`))).size
    const plain = await repeat(reps, () =>
      engine('backup', { store, path: join(work, `backup-none-${n}`), overwrite: true, compression: 'none' })
    )
    const tar = await repeat(reps, () =>
      timeCommand('tar', ['-cf', join(work, `tar-${n}.tar`), '-C', store, '.'])
    )
    await rm(join(work, `tar-${n}.tar`), { force: true })
    await rm(join(work, `tar-${n}.tar.gz`), { force: true })
    add(n, 'backup, gzip (the default), verification off', gzip, 'tar -czf', tarGz, 1.5, '≤ 1.5× tar -czf')
    add(n, 'backup, compression none, verification off', plain, 'tar -cf', tar, 2, '≤ 2× tar -cf')
    addRss(n, 'backup, gzip', gzip)
    addRss(n, 'backup, compression none', plain)
    addRow({
      size: n,
      measure: `pack size, backup, gzip: ${gzipPack.toLocaleString('en')} bytes (${(gzipPack / n).toFixed(0)} a license)`,
      baseline: {
        label: `tar -czf of the same licenses: ${tarGzBytes.toLocaleString('en')} bytes`,
        sample: ZERO
      },
      ratio: gzipPack / tarGzBytes,
      target: { text: '≤ 1.2× tar -czf', limit: 1.2 }
    })
  }

  let verified: Sample | undefined
  if (wanted('verified') || wanted('restore') || wanted('verify')) {
    verified = await repeat(reps, () => engine('backup', { store, path: backup, overwrite: true, trust }))
  }
  if (verified && wanted('verified')) {
    const checks = await repeat(reps, () => internal('verify-baseline', { store, jwks: jwksFile, threads }))
    // The target is a rate: verified backup at ≥ 85% of the bare check rate, i.e. time ≤ baseline / 0.85.
    add(
      n,
      'backup, verified',
      verified,
      `bare signature checks, ${threads} threads`,
      checks,
      1 / 0.85,
      '≥ 85% of the bare rate'
    )
    addRss(n, 'backup, verified', verified)
  }

  if (verified && wanted('verify')) {
    const drill = await repeat(reps, () => engine('verify', { path: backup, trust }))
    add(n, 'verify step', drill, 'verified backup', verified, 1.2, '≤ 1.2× verified backup')
    addRss(n, 'verify step', drill)
  }

  if (verified && wanted('restore')) {
    // A fresh service (and a fresh target store, so a new machine) for every run: the restore limit of
    // four machines would refuse the fourth run's bound licenses otherwise.
    // The release step gives back what the restore took, from the restored store, to the same service.
    const releases: Sample[] = []
    const restore = await repeat(
      reps,
      () =>
        withServer(async url => {
          // The exchange's default deadline: it runs again from each answer (ADR 0223), so a restore of a
          // million, which takes longer than it in all, needs no raised one.
          const service = { url, token }
          const restored = await engine('restore', {
            store: target,
            path: backup,
            individualize: true,
            service,
            trust
          })
          releases.push(await engine('release', { store: target, service }))
          return restored
        }),
      () => rm(target, { recursive: true, force: true })
    ).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
    await rm(target, { recursive: true, force: true })
    if (restore instanceof Error) {
      addRow({
        size: n,
        measure: `restore through the service: failed (${restore.message.split('\n')[0]?.slice(0, 200)})`,
        baseline: { label: 'verified backup', sample: verified },
        target: { text: '≤ 3× verified backup', met: false }
      })
    } else {
      const release = medianOf(releases)
      const http = await repeat(reps, () =>
        withServer(url => internal('http-baseline', { store, url, token }))
      )
      add(n, 'restore through the service', restore, 'the service alone, same batches', http, null, '')
      add(n, 'restore through the service', restore, 'verified backup', verified, 3, '≤ 3× verified backup')
      add(n, 'release step (every restored license)', release, '', ZERO, null, '')
      addRss(n, 'restore', restore)
      addRss(n, 'release', release)
    }
  }

  if (wanted('encrypted')) {
    const encBackup = await repeat(reps, () =>
      engine('backup', { store, path: encrypted, overwrite: true, encryptTo: [recipient] })
    )
    add(n, 'backup, encrypted (gzip, then age)', encBackup, '', { ms: 0, rssMb: 0 }, null, '')
    addRss(n, 'backup, encrypted', encBackup)
    // The encrypted restore is the plain one plus age: measured below a million, where it takes minutes.
    if (n < 1_000_000) {
      const encRestore = await repeat(
        reps,
        () =>
          withServer(url =>
            engine('restore', {
              store: join(work, `target-enc-${n}`),
              path: encrypted,
              individualize: true,
              service: { url, token },
              ageIdentity: identity
            })
          ),
        () => rm(join(work, `target-enc-${n}`), { recursive: true, force: true })
      )
      await rm(join(work, `target-enc-${n}`), { recursive: true, force: true })
      add(n, 'restore, encrypted', encRestore, '', { ms: 0, rssMb: 0 }, null, '')
      addRss(n, 'restore, encrypted', encRestore)
    }
  }
  // Issue 11's comparison with v1, whose manifest lists every license (held in memory): up to 100,000.
  if (wanted('v2') && n <= 100_000) await formatV2(n, store, reps)

  if (wanted('registry')) {
    if (!existsSync(join(backup, 'manifest.json')))
      await engine('backup', { store, path: backup, overwrite: true })
    await registryThroughput(n, backup, reps)
  }
}
addFlatness()
if (benchRegistry) {
  await benchRegistry.registry.close()
  await benchRegistry.ca.remove()
}

if (wanted('cold')) await coldStart(10)
if (wanted('service')) await service(20_000)

const parts = only ?? [...ENGINE_PARTS, 'service', 'cold']
const missing = missingTargets(rows, perSize ? sizes : [], parts)
if (missing.length) log(`\nissue 27's targets with no row in this run: ${missing.join('; ')}`)
const totalMs = performance.now() - started
log(`\nbench finished in ${(totalMs / 1000).toFixed(0)} s`)
await report(totalMs)

// ——— helpers ———

/**
 * Push and pull of the backup folder through the project's registry client (a whole process each, the
 * CA given as NODE_EXTRA_CA_CERTS), beside curl uploading and downloading the same blobs over the same
 * TLS connection setup, against the distribution registry on loopback with Basic auth.
 */
async function registryThroughput(n: number, folder: string, reps: number): Promise<void> {
  if (!REGISTRY_TOOLS.every(tool => findTool(tool)) || !findOnPath('curl')) {
    log(`  registry: one of ${REGISTRY_TOOLS.join(', ')}, curl is not on PATH; skipped`)
    return
  }
  if (!benchRegistry) {
    const ca = await createTestCa()
    trustCa(ca)
    const registry = await startRegistry(ca, { kind: 'basic', users: { [REGISTRY_USER]: REGISTRY_PASSWORD } })
    benchRegistry = { ca, registry }
  }
  const { ca, registry } = benchRegistry
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: ca.caFile }
  const login = { username: REGISTRY_USER, password: REGISTRY_PASSWORD }
  const files = (await readdir(folder)).sort()
  const sizes = await Promise.all(files.map(async f => (await stat(join(folder, f))).size))
  const mb = sizes.reduce((a, b) => a + b, 0) / 2 ** 20
  let round = 0
  const push = await repeat(reps, () =>
    timeCommand(
      node,
      [
        child,
        'registry-push',
        JSON.stringify({ repository: `${registry.host}/bench/push-${n}-${round++}`, folder, ...login })
      ],
      { env }
    )
  )
  // The same push in GHCR's 4 MiB chunks (ADR 0188), to a fresh repository each time.
  const pushChunked = await repeat(reps, () =>
    timeCommand(
      node,
      [
        child,
        'registry-push',
        JSON.stringify({
          repository: `${registry.host}/bench/chunked-${n}-${round++}`,
          folder,
          chunkSize: 4 * 2 ** 20,
          ...login
        })
      ],
      { env }
    )
  )
  const pulled = join(work, `pulled-${n}`)
  const reference = `${registry.host}/bench/push-${n}-0:bench`
  const pull = await repeat(
    reps,
    () =>
      timeCommand(node, [child, 'registry-pull', JSON.stringify({ reference, folder: pulled, ...login })], {
        env
      }),
    async () => {
      await rm(pulled, { recursive: true, force: true })
      await mkdir(pulled)
    }
  )
  await rm(pulled, { recursive: true, force: true })

  const auth = `Basic ${Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64')}`
  const digests = await Promise.all(files.map(async f => await digestOf(join(folder, f))))
  const curl = ['-sS', '--fail', '--cacert', ca.caFile, '-u', `${REGISTRY_USER}:${REGISTRY_PASSWORD}`]
  let uploads: string[] = []
  const curlUp = await repeat(
    reps,
    () =>
      timeCommand('curl', [
        ...curl,
        '-H',
        'content-type: application/octet-stream',
        ...files.flatMap((f, i) => ['-T', join(folder, f), uploads[i] ?? ''])
      ]),
    async () => {
      const repo = `bench/curl-${n}-${round++}`
      uploads = []
      for (const digest of digests) {
        const started = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, {
          method: 'POST',
          headers: { authorization: auth }
        })
        const location = new URL(started.headers.get('location') ?? '', registry.url)
        location.searchParams.set('digest', digest)
        uploads.push(location.href)
      }
    }
  )
  const downloaded = join(work, `curl-pulled-${n}`)
  await mkdir(downloaded, { recursive: true })
  const curlDown = await repeat(reps, () =>
    timeCommand('curl', [
      ...curl,
      ...files.flatMap((f, i) => [
        '-o',
        join(downloaded, f),
        `${registry.url}/v2/bench/push-${n}-0/blobs/${digests[i]}`
      ])
    ])
  )
  await rm(downloaded, { recursive: true, force: true })
  const rate = (s: Sample): string => `${(mb / (s.ms / 1000)).toFixed(0)} MB/s`
  const what = `${mb.toFixed(1)} MB in ${files.length} blobs`
  add(
    n,
    `registry push, ${what} (${rate(push)})`,
    push,
    `curl -T, same blobs (${rate(curlUp)})`,
    curlUp,
    1.5,
    '≤ 1.5× curl'
  )
  add(
    n,
    `registry push in 4 MiB chunks (GHCR), ${what} (${rate(pushChunked)})`,
    pushChunked,
    `curl -T, same blobs (${rate(curlUp)})`,
    curlUp,
    null,
    ''
  )
  add(
    n,
    `registry pull, ${what} (${rate(pull)})`,
    pull,
    `curl -o, same blobs (${rate(curlDown)})`,
    curlDown,
    1.5,
    '≤ 1.5× curl'
  )
}

/** The size of the pack a backup folder's manifest describes, bytes. */
async function packSize(folder: string): Promise<number> {
  const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')) as {
    pack: { size: number }
  }
  return manifest.pack.size
}

async function digestOf(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}`
}

/**
 * Format v2 against v1 in the same run (issue 11): the v2 backup (gzip; gzip then age) within 1.3× of an
 * uncompressed v1 backup, and its pack at most 200 bytes a license.
 */
async function formatV2(n: number, store: string, reps: number): Promise<void> {
  const path = (name: string): string => join(work, `${name}-${n}`)
  const v1 = await repeat(reps, () =>
    engine('backup', { store, path: path('v1'), overwrite: true, format: 'license-backup/v1' })
  )
  const v1Sealed = await repeat(reps, () =>
    engine('backup', {
      store,
      path: path('v1-age'),
      overwrite: true,
      format: 'license-backup/v1',
      encryptTo: [recipient]
    })
  )
  const gzip = await repeat(reps, () => engine('backup', { store, path: path('v2'), overwrite: true }))
  const sealed = await repeat(reps, () =>
    engine('backup', { store, path: path('v2-age'), overwrite: true, encryptTo: [recipient] })
  )
  add(n, 'backup v2 (gzip)', gzip, 'backup v1 (plain tar)', v1, 1.3, '≤ 1.3× v1')
  // Encrypted against encrypted: age costs the same per byte in both, and v2 gives it a fifth of the bytes.
  add(
    n,
    'backup v2 (gzip, then age)',
    sealed,
    'backup v1 (age over the plain tar)',
    v1Sealed,
    1.3,
    '≤ 1.3× v1'
  )
  for (const [name, label] of [
    ['v1', 'v1 pack (plain tar)'],
    ['v2', 'v2 pack (gzip)'],
    ['v2-age', 'v2 pack (gzip, then age)']
  ] as const) {
    const manifest = JSON.parse(await readFile(join(path(name), 'manifest.json'), 'utf8')) as {
      pack: { size: number }
      counts: { licenses: number }
    }
    const perLicense = manifest.pack.size / manifest.counts.licenses
    addRow({
      size: n,
      measure: `${label}: ${perLicense.toFixed(0)} bytes a license`,
      ...(name === 'v1' ? {} : { target: { text: '≤ 200 bytes a license', met: perLicense <= 200 } })
    })
    log(`  ${label}: ${manifest.pack.size} bytes, ${perLicense.toFixed(1)} bytes a license`)
  }
  await packAgainstTarGz(n, store, path('v2'))
}

/**
 * The v2 pack's size against `tar -czf` of the same licenses (issue 27): the members the pack lists,
 * from the store, in its order; the pack's index is all that differs (ADR 0225).
 */
async function packAgainstTarGz(n: number, store: string, backup: string): Promise<void> {
  const pack = join(backup, 'licenses.tar.gz')
  const list = join(work, `members-${n}.txt`)
  const tarGz = join(work, `same-licenses-${n}.tar.gz`)
  await timeCommand('sh', [
    '-c',
    'tar -tzf "$1" | grep -v "^\\.license-backup/" > "$2" && tar -czf "$3" -C "$4" -T "$2"',
    'sh',
    pack,
    list,
    tarGz,
    store
  ])
  const ours = (await stat(pack)).size
  const theirs = (await stat(tarGz)).size
  await rm(list, { force: true })
  await rm(tarGz, { force: true })
  const ratio = ours / theirs
  rows.push({
    size: n,
    measure: `pack size, v2 (gzip): ${ours} bytes`,
    ms: 0,
    rss_mb: 0,
    baseline: `tar -czf of the same licenses: ${theirs} bytes`,
    baseline_ms: 0,
    ratio: Number(ratio.toFixed(2)),
    target: '≤ 1.2× tar -czf',
    met: ratio <= 1.2
  })
  log(
    `  pack size: ${ours} bytes against tar -czf of the same licenses ${theirs} bytes, ×${ratio.toFixed(2)}`
  )
}

/** Adds one row to latest.json (rows.ts says how its ratio and verdict are computed) and logs it. */
function addRow(input: RowInput): void {
  const row = makeRow(input)
  rows.push(row)
  const figures = [row.ms ? `${row.ms.toFixed(0)} ms` : '', row.rss_mb ? `${row.rss_mb.toFixed(0)} MB` : '']
  const against = row.baseline
    ? ` — ${row.baseline}${row.baseline_ms ? `: ${row.baseline_ms.toFixed(0)} ms` : ''} — ×${row.ratio.toFixed(2)}`
    : ''
  const verdict = row.met === null ? '' : ` (${row.target}: ${row.met ? 'met' : 'NOT met'})`
  const shown = figures.filter(Boolean).join(', ')
  log(`  ${row.measure}${shown ? `: ${shown}` : ''}${against}${verdict}`)
}

/** A measure against a baseline, both timed; `limit` the largest ratio the target allows. */
function add(
  n: number,
  measure: string,
  s: Sample,
  baseline: string,
  b: Sample,
  limit: number | null,
  target: string
): void {
  addRow({
    size: n,
    measure,
    sample: s,
    ...(baseline ? { baseline: { label: baseline, sample: b } } : {}),
    ...(limit === null ? {} : { target: { text: target, limit } })
  })
}

/**
 * The service's re-issue rate on each storage, against a bare loop doing the same cryptography a
 * license (one signature check, one signature) on as many threads as there are instances (one thread
 * each), measured just before each (bench/service.ts): issue 27's target is within ×2 of it.
 */
async function service(licenses: number): Promise<void> {
  log(`\nthe license service, ${licenses.toLocaleString('en')} licenses re-issued by 8 clients`)
  const perSecond = (ms: number): string => `${Math.round((licenses / ms) * 1000).toLocaleString('en')}/s`
  for (const figure of await serviceThroughput(issuer, work, licenses)) {
    const threads = figure.instances
    addRow({
      size: licenses,
      measure: `${figure.label}: ${perSecond(figure.ms)}`,
      sample: { ms: figure.ms, rssMb: 0 },
      baseline: {
        label: `bare verify and sign, ${threads} thread${threads === 1 ? '' : 's'}: ${perSecond(figure.bareMs)}`,
        sample: { ms: figure.bareMs, rssMb: 0 }
      },
      target: { text: '≤ 2× the bare loop', limit: 2 }
    })
  }
}

/** The peak RSS of an engine operation: at most RSS_LIMIT_MB from 100,000 licenses up. */
function addRss(n: number, operation: string, s: Sample): void {
  const judged = n >= 100_000
  addRow({
    size: n,
    measure: `peak RSS, ${operation}`,
    sample: { ms: 0, rssMb: s.rssMb },
    ...(judged ? { target: { text: `≤ ${RSS_LIMIT_MB} MB`, met: s.rssMb <= RSS_LIMIT_MB } } : {})
  })
}

/** Flat memory: each operation's peak RSS at 1,000,000 within 1.2× of its figure at 100,000 (same run). */
function addFlatness(): void {
  const rssAt = (size: number): Row[] =>
    rows.filter(r => r.size === size && r.measure.startsWith('peak RSS, '))
  for (const large of rssAt(1_000_000)) {
    const small = rssAt(100_000).find(r => r.measure === large.measure)
    if (!small) continue
    const ratio = large.rss_mb / small.rss_mb
    addRow({
      size: 1_000_000,
      measure: `${large.measure}, against 100,000 licenses`,
      sample: { ms: 0, rssMb: large.rss_mb },
      baseline: { label: `${large.measure.slice('peak RSS, '.length)} at 100,000`, sample: ZERO },
      ratio,
      target: { text: '≤ 1.2× (flat)', limit: 1.2 }
    })
  }
}

async function previousRows(): Promise<Row[]> {
  try {
    const { rows } = JSON.parse(await readFile('bench/results/latest.json', 'utf8')) as { rows: Row[] }
    // Rows written before the fields were named as issue 15 names them are not kept.
    return rows.filter(row => typeof row.size === 'number')
  } catch {
    return []
  }
}

function log(line: string): void {
  console.log(line)
}

/** One engine operation as a whole process (start-up included), under GNU time. */
function engine(op: string, options: object): Promise<Sample> {
  return timeCommand(node, [child, op, JSON.stringify(options)])
}

/** A baseline that times only its own loop (inputs loaded first), reported by the child. */
async function internal(op: string, options: object): Promise<Sample> {
  const out = await new Promise<string>((resolvePromise, reject) => {
    const proc = spawn(node, [child, op, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let text = ''
    proc.stdout.on('data', chunk => (text += chunk))
    proc.on('error', reject)
    proc.on('close', code => (code === 0 ? resolvePromise(text) : reject(new Error(`${op} exited ${code}`))))
  })
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { ms: number; maxRssMb: number }
  return { ms: result.ms, rssMb: result.maxRssMb }
}

/** Runs `body` against a fresh reference service (new state file) on loopback, in this process. */
async function withServer<T>(body: (url: string) => Promise<T>): Promise<T> {
  const stateDir = join(work, `server-${process.pid}-${Date.now()}`)
  await mkdir(stateDir, { recursive: true })
  const server = await createLicenseServer({
    issuer,
    database: join(stateDir, 'state.db'),
    tokens: [token]
  })
  try {
    return await body(server.url)
  } finally {
    await server.close()
    await rm(stateDir, { recursive: true, force: true })
  }
}

async function theIssuer(): Promise<Issuer> {
  const file = join(work, 'issuer.private.json')
  try {
    return await loadIssuer(file)
  } catch {
    // A new issuer invalidates every cached store (signed by the old one).
    for (const name of await readdir(work)) {
      if (name.startsWith('store-')) await rm(join(work, name), { recursive: true, force: true })
    }
    const fresh = createIssuer()
    await saveIssuer(fresh, file)
    return fresh
  }
}

/** Stores are kept between runs (generating 100,000 signed licenses takes a while); a marker says complete. */
async function theStore(n: number): Promise<string> {
  const dir = join(work, `store-${n}`)
  const marker = join(work, `store-${n}.complete`)
  try {
    await stat(marker)
    return dir
  } catch {
    await rm(dir, { recursive: true, force: true })
  }
  log(`generating a store of ${n.toLocaleString('en')} licenses (kept in bench/work for later runs)…`)
  const began = performance.now()
  await generateStore(dir, issuer, { count: n, seed: n })
  await writeFile(marker, new Date().toISOString())
  log(`  generated in ${((performance.now() - began) / 1000).toFixed(0)} s`)
  return dir
}

/**
 * Reads every file of the store once before anything is measured on it: the first measure would otherwise
 * pay for a cold page cache (a million files evicted by the runs before it) and its baseline would not.
 */
async function warmUp(store: string): Promise<void> {
  await new Promise<void>((done, fail) => {
    // Through a pipe: GNU tar skips reading the files when its archive is /dev/null itself.
    const child = spawn('sh', ['-c', 'tar -cf - -C "$1" . | cat > /dev/null', 'sh', store], {
      stdio: 'inherit'
    })
    child.on('error', fail)
    child.on('exit', code =>
      code === 0 ? done() : fail(new Error(`reading ${store} once failed (${code})`))
    )
  })
}

/**
 * Cold start of the action as built now (scripts/build.mjs of the action alone into bench/work/dist, not the committed dist/):
 * `node index.js` until its first line on stdout, for a steps file with one backup step. With a state file,
 * as a runner gives one, the main step's `saveState` writes no command to stdout: the first line is the
 * action's own "Running 1 step(s)…", printed once the steps file is loaded and checked. Also checks that
 * the chunk holding @actions/artifact is not reachable by static imports from index.js.
 */
async function coldStart(times: number): Promise<void> {
  await runNode(['scripts/build.mjs', coldDist, 'action'])
  const artifactChunk = await chunkHolding(coldDist, 'var DefaultArtifactClient = class')
  const loaded = await staticClosure(coldDist, 'index.js')
  const lazy = artifactChunk !== undefined && !loaded.has(artifactChunk)
  const smallStore = await theStore(1000)
  const steps = `version: 1\nstore: ${smallStore}\nsteps:\n  - backup:\n      path: ${join(work, 'cold-backup')}\n      overwrite: true\n`
  const state = join(work, 'cold-state')
  await writeFile(state, '')
  const samples: number[] = []
  for (let i = 0; i < times; i++) {
    samples.push(
      await new Promise<number>((resolvePromise, reject) => {
        const began = performance.now()
        const proc = spawn(node, [join(coldDist, 'index.js')], {
          env: {
            ...process.env,
            INPUT_STEPS: steps,
            GITHUB_STEP_SUMMARY: '',
            GITHUB_OUTPUT: '',
            GITHUB_STATE: state
          },
          stdio: ['ignore', 'pipe', 'ignore']
        })
        let at: number | undefined
        proc.stdout.once('data', () => (at = performance.now() - began))
        proc.on('error', reject)
        proc.on('close', () => (at === undefined ? reject(new Error('no output')) : resolvePromise(at)))
      })
    )
  }
  const cold = median(samples)
  addRow({
    size: 0,
    measure: 'cold start (node dist/index.js to its first log line)',
    sample: { ms: cold, rssMb: 0 },
    target: { text: '≤ 120 ms', met: cold <= 120 }
  })
  addRow({
    size: 0,
    measure: '@actions/artifact loaded only when an artifact is used (its chunk not statically imported)',
    target: { text: 'lazy', met: lazy }
  })
  log(
    `\ncold start: ${cold.toFixed(0)} ms; @actions/artifact ${lazy ? 'lazy' : 'NOT lazy'} (${artifactChunk})`
  )
}

function runNode(argv: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(node, argv, { stdio: 'inherit' })
    proc.on('error', reject)
    proc.on('close', code =>
      code === 0 ? resolvePromise() : reject(new Error(`${argv.join(' ')}: ${code}`))
    )
  })
}

async function chunkHolding(dir: string, text: string): Promise<string | undefined> {
  const names = ['index.js', ...(await readdir(join(dir, 'chunks')).catch(() => [])).map(n => `chunks/${n}`)]
  for (const name of names) if ((await readFile(join(dir, name), 'utf8')).includes(text)) return name
  return undefined
}

async function report(totalMs: number): Promise<void> {
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version
  }
  await mkdir('bench/results', { recursive: true })
  // A partial run (--only) keeps the previous figures it did not measure again.
  // The store sizes this run measured: none when it ran only the service or the cold start.
  const measuredSizes = perSize ? sizes : []
  const measured = rows.splice(0)
  rows.push(...(only ? mergeRows(await previousRows(), measured) : measured))
  const kept = rows.length - measured.length
  const result = {
    date: new Date().toISOString(),
    machine,
    runs: measuredSizes.map(n => ({ n, runs: repsFor(n) })),
    sizes: measuredSizes,
    totalSeconds: Math.round(totalMs / 1000),
    rows
  }
  await writeFile('bench/results/latest.json', JSON.stringify(result, null, 2) + '\n')
  const table = [
    '| licenses | measure | time | peak RSS | baseline | baseline time | ratio | target | met |',
    '| ---: | --- | ---: | ---: | --- | ---: | ---: | --- | --- |',
    ...rows.map(r =>
      [
        r.size ? r.size.toLocaleString('en') : '—',
        r.measure,
        r.ms ? `${r.ms.toFixed(0)} ms` : '',
        r.rss_mb ? `${r.rss_mb.toFixed(0)} MB` : '',
        r.baseline,
        r.baseline_ms ? `${r.baseline_ms.toFixed(0)} ms` : '',
        r.ratio ? `×${r.ratio.toFixed(2)}` : '',
        r.target,
        r.met === null ? '' : r.met ? 'yes' : '**no**'
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .replace(/$/, ' |')
        .replace(/ {2,}\|/g, ' |')
    )
  ].join('\n')
  const previous = await readFile('docs/performance.md', 'utf8').catch(() => '')
  const notes = previous.includes('## Notes') ? previous.slice(previous.indexOf('## Notes')) : '## Notes\n'
  const doc =
    `# Performance\n\n` +
    `Measured by \`npm run bench\` (${Math.round(totalMs / 1000)} s) on ${result.date.slice(0, 10)}: ${machine.cpu}, ` +
    `${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}, Linux; ${measuredSizes.map(n => `${repsFor(n)} run${repsFor(n) === 1 ? '' : 's'} at ${n.toLocaleString('en')}`).join(', ') || 'no store size measured'} (the median kept), warm page ` +
    `cache. Each engine figure is a whole process (Node start-up included) under GNU time; the CPU and HTTP ` +
    `baselines time their own loop after loading their input. The reference service runs on loopback in the ` +
    `benchmark's own process, a fresh one for every run. Raw figures: \`bench/results/latest.json\`.` +
    (kept > 0
      ? ` This run measured only ${only?.join(', ')}; the other rows are kept from the run before.`
      : '') +
    `\n\n` +
    `${table}\n\n${notes}`
  await writeFile('docs/performance.md', doc)
  console.log('\n' + table)
  console.log('\nwritten: bench/results/latest.json, docs/performance.md')
}
