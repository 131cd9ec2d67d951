// The license service's throughput: licenses re-issued per second, each a lease (ADR 0160), through the
// whole protocol (session, restore batches of 1,000, then renewals of the copies restored, close) by
// concurrent clients, on SQLite (one instance) and on PostgreSQL (one and two instances, each a separate
// process), beside a bare loop doing the cryptography of a re-issue (one signature check, one signature)
// on one thread, as an instance does it on one.
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { saveIssuer, type Issuer } from '../src/fixtures/issuer.js'
import { machineFromSeed } from '../src/fixtures/store.js'
import { sessionOpening } from './session-proof.js'
import { postgresBin, startPostgres } from '../src/fixtures/postgres-cluster.js'
import { startServerProcess, type ServerProcess } from '../src/fixtures/server-process.js'
import { openEngine } from '../packages/license-server/src/storage/open.js'
import { LicenseStore } from '../packages/license-server/src/storage/store.js'

export interface Throughput {
  label: string
  licenses: number
  ms: number
  /** The service processes (each one thread) that did the work. */
  instances: number
  /** The bare loop's time for the same licenses on as many threads, measured just before. */
  bareMs: number
}

const CLIENTS = 8
const BATCH = 1000

export async function serviceThroughput(
  issuer: Issuer,
  work: string,
  licenses: number
): Promise<Throughput[]> {
  const dir = join(work, `service-${Date.now()}`)
  await mkdir(dir, { recursive: true })
  const issuerFile = join(dir, 'issuer.json')
  await saveIssuer(issuer, issuerFile)
  const batches = makeBatches(issuer, licenses)
  const results: Throughput[] = []
  try {
    results.push(
      ...(await run(issuer, 'SQLite, 1 instance', join(dir, 'service.db'), 1, issuerFile, batches))
    )
    if (!postgresBin()) {
      console.log('  PostgreSQL is not installed: its service figures are skipped.')
      return results
    }
    const cluster = await startPostgres()
    try {
      results.push(
        ...(await run(
          issuer,
          'PostgreSQL, 1 instance',
          await cluster.database('bench1'),
          1,
          issuerFile,
          batches
        ))
      )
      results.push(
        ...(await run(
          issuer,
          'PostgreSQL, 2 instances',
          await cluster.database('bench2'),
          2,
          issuerFile,
          batches
        ))
      )
    } finally {
      await cluster.stop()
    }
    return results
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The licenses, fresh jtis, in batches of 1,000: each client restores its own, so none is refused. */
function makeBatches(issuer: Issuer, licenses: number): string[][] {
  const batches: string[][] = []
  for (let i = 0; i < licenses; i += BATCH) {
    batches.push(
      Array.from({ length: Math.min(BATCH, licenses - i) }, (_, j) =>
        issuer.sign({
          jti: `bench-${i + j}`,
          key_id: `key-${(i + j) % 500}`,
          iat: 1767225600,
          rights: { play: true }
        })
      )
    )
  }
  return batches
}

/**
 * Time for a bare loop to do what a re-issue must do to each license: check its signature (node:crypto,
 * the issuer's public key) and sign the lease copy the service returns; on `threads` threads, each with
 * its share, as `threads` instances would share the licenses.
 */
async function verifyAndSign(issuer: Issuer, licenses: string[], threads: number): Promise<number> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { createPrivateKey, createPublicKey, sign, verify } = require('node:crypto')
    const privateKey = createPrivateKey({ key: workerData.jwk, format: 'jwk' })
    const publicKey = createPublicKey(privateKey)
    const b64 = text => Buffer.from(text).toString('base64url')
    const header = b64(JSON.stringify({ alg: 'Ed25519', typ: 'JWT', kid: 'k' }))
    parentPort.once('message', () => {
      for (const [i, jws] of workerData.licenses.entries()) {
        const dot = jws.lastIndexOf('.')
        if (!verify(null, Buffer.from(jws.slice(0, dot)), publicKey, Buffer.from(jws.slice(dot + 1), 'base64url')))
          throw new Error('license ' + i + ' does not verify')
        const claims = { jti: 'bench-' + i, key_id: 'k', iat: 1767225600, rights: { play: true },
          exp: 1767225600 + 30 * 86400, lease: {}, cnf: { jkt: 'x'.repeat(43) } }
        const input = header + '.' + b64(JSON.stringify(claims))
        sign(null, Buffer.from(input), privateKey).toString('base64url')
      }
      parentPort.postMessage('done')
    })
    parentPort.postMessage('ready')`
  const jwk = issuer.privateKey.export({ format: 'jwk' })
  const share = Math.ceil(licenses.length / threads)
  const workers = Array.from(
    { length: threads },
    (_, i) =>
      new Worker(source, {
        eval: true,
        workerData: { jwk, licenses: licenses.slice(i * share, (i + 1) * share) }
      })
  )
  try {
    await Promise.all(workers.map(w => new Promise(ready => w.once('message', ready))))
    const started = performance.now()
    await Promise.all(
      workers.map(
        w =>
          new Promise((done, fail) => {
            w.once('message', done)
            w.once('error', fail)
            w.postMessage('go')
          })
      )
    )
    return performance.now() - started
  } finally {
    await Promise.all(workers.map(w => w.terminate()))
  }
}

async function run(
  issuer: Issuer,
  label: string,
  database: string,
  instances: number,
  issuerFile: string,
  batches: string[][]
): Promise<Throughput[]> {
  const store = new LicenseStore(openEngine(database))
  await store.engine.migrate()
  await store.addTenant('bench', { anyLicensee: true })
  const { token } = await store.issueToken('bench', 'restore', 'bench')
  await store.engine.close()
  const servers: ServerProcess[] = []
  try {
    for (let i = 0; i < instances; i++) servers.push(await startServerProcess({ issuerFile, database }))
    // The baseline beside the figure: the same licenses, on as many threads as instances, just before.
    const bareMs = await verifyAndSign(issuer, batches.flat(), instances)
    const queue = [...batches]
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const url = servers[c % servers.length]?.url as string
        const m = await machineFromSeed(9000 + c)
        const session = await call(url, token, '/v1/sessions', {
          ...(await sessionOpening(m.privateKey, url)),
          individualize: true
        })
        return {
          url,
          path: `/v1/sessions/${(JSON.parse(session) as { id: string }).id}`,
          copies: [] as string[][]
        }
      })
    )
    const started = performance.now()
    await Promise.all(
      clients.map(async (client, c) => {
        for (let batch = queue.shift(), n = 0; batch; batch = queue.shift(), n++) {
          const answer = await call(
            client.url,
            token,
            `${client.path}/restore`,
            { licenses: batch },
            `c${c}-${n}`
          )
          client.copies.push(licensesOf(answer))
        }
      })
    )
    const restored = performance.now() - started
    // The same machines renew the copies they were given: each a held slot, granted a new lease.
    const renewing = performance.now()
    await Promise.all(
      clients.map(async client => {
        for (const copies of client.copies)
          await call(client.url, token, `${client.path}/renew`, { licenses: copies })
        await fetch(`${client.url}${client.path}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}` }
        })
      })
    )
    const renewed = performance.now() - renewing
    const total = batches.reduce((sum, b) => sum + b.length, 0)
    return [
      { label: `service, ${label}, restores (leases)`, licenses: total, ms: restored, instances, bareMs },
      { label: `service, ${label}, renewals`, licenses: total, ms: renewed, instances, bareMs }
    ]
  } finally {
    await Promise.all(servers.map(s => s.stop()))
  }
}

/** The re-issued copies of an answer, in order. */
function licensesOf(answer: string): string[] {
  const { results } = JSON.parse(answer) as { results: Array<{ license?: string }> }
  return results.flatMap(r => (r.license === undefined ? [] : [r.license]))
}

/** One call; a network error is retried with the same Idempotency-Key, as the engine's client does. */
async function call(url: string, token: string, path: string, body: unknown, key?: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(key ? { 'idempotency-key': key } : {})
        },
        body: JSON.stringify(body)
      })
      const text = await res.text()
      if (!res.ok) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`)
      return text
    } catch (error) {
      if ((error as Error).message !== 'fetch failed' || attempt >= 3) throw error
    }
  }
}
