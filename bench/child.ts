// One measured operation in its own process, so its peak RSS is its own. Prints one JSON line.
// usage: node .build/bench-child/bench-child.mjs <op> <json options>
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import {
  createBackupRestorer,
  type BackupOptions,
  type ReleaseOptions,
  type RestoreOptions,
  type VerifyOptions
} from '../src/engine/index.js'
import { RegistryClient } from '../src/action/registry/client.js'
import { pullBackup } from '../src/action/registry/pull.js'
import { pushBackup } from '../src/action/registry/push.js'
import { parseReference, parseRepository } from '../src/action/registry/reference.js'
import { sessionOpening } from './session-proof.js'

const [op, raw] = process.argv.slice(2)
const options = JSON.parse(raw ?? '{}') as Record<string, unknown>

async function main(): Promise<Record<string, unknown>> {
  switch (op) {
    case 'backup': {
      const result = await createBackupRestorer().backup(options as unknown as BackupOptions)
      return { backedUp: result.backedUp }
    }
    case 'restore': {
      const result = await createBackupRestorer().restore(options as unknown as RestoreOptions)
      return { restored: result.restored }
    }
    case 'release': {
      const result = await createBackupRestorer().release(options as unknown as ReleaseOptions)
      return { released: result.released }
    }
    case 'verify': {
      const result = await createBackupRestorer().verify(options as unknown as VerifyOptions)
      return { verified: result.verified }
    }
    case 'verify-baseline':
      return verifyBaseline(
        String(options['store']),
        String(options['jwks']),
        Number(options['threads'] ?? 2)
      )
    case 'http-baseline':
      return httpBaseline(String(options['store']), String(options['url']), String(options['token']))
    case 'registry-push': {
      // The registry's CA comes as NODE_EXTRA_CA_CERTS, as it would for the action.
      const client = registryClient(String(options['repository']))
      const files = (await readdir(String(options['folder']))).sort()
      const pushed = await pushBackup(client, String(options['folder']), files, {
        tags: ['bench'],
        now: new Date(),
        // GHCR's rule (ADR 0188): chunks of 4 MiB, when the run asks for it.
        ...(options['chunkSize'] ? { chunkSize: Number(options['chunkSize']) } : {})
      })
      return { digest: pushed.digest, bytes: pushed.size }
    }
    case 'registry-pull': {
      const reference = parseReference(String(options['reference']))
      const pulled = await pullBackup(
        registryClient(String(options['reference'])),
        reference,
        String(options['folder'])
      )
      return { digest: pulled.digest }
    }
    default:
      throw new Error(`unknown op ${op}`)
  }
}

function registryClient(text: string): RegistryClient {
  const repository = parseRepository(text.replace(/[:@][^/]*$/, ''))
  return new RegistryClient(repository, {
    credentials: { username: String(options['username']), password: String(options['password']) }
  })
}

async function licenseTexts(store: string): Promise<string[]> {
  const names = (await readdir(store, { recursive: true })).filter(name => name.endsWith('.jwt')).sort()
  return names.map(name => readFileSync(join(store, name), 'utf8'))
}

/** The CPU baseline: the same signature checks with bare node:crypto, split across `threads` threads. */
async function verifyBaseline(
  store: string,
  jwksFile: string,
  threads: number
): Promise<Record<string, unknown>> {
  const texts = await licenseTexts(store)
  const { keys } = JSON.parse(await readFile(jwksFile, 'utf8')) as { keys: object[] }
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { createPublicKey, verify } = require('node:crypto')
    const key = createPublicKey({ key: workerData.jwk, format: 'jwk' })
    parentPort.postMessage('ready')
    parentPort.once('message', () => {
      let ok = 0
      for (const jws of workerData.texts) {
        const dot = jws.lastIndexOf('.')
        if (verify(null, Buffer.from(jws.slice(0, dot)), key, Buffer.from(jws.slice(dot + 1), 'base64url'))) ok++
      }
      parentPort.postMessage(ok)
    })`
  const share = Math.ceil(texts.length / threads)
  const workers = Array.from(
    { length: threads },
    (_, i) =>
      new Worker(source, {
        eval: true,
        workerData: { jwk: keys[0], texts: texts.slice(i * share, (i + 1) * share) }
      })
  )
  await Promise.all(workers.map(w => new Promise(resolve => w.once('message', resolve))))
  const started = performance.now()
  const counts = await Promise.all(
    workers.map(w => {
      const done = new Promise<number>(resolve => w.once('message', resolve))
      w.postMessage('go')
      return done
    })
  )
  const ms = performance.now() - started
  await Promise.all(workers.map(w => w.terminate()))
  return { ms, verified: counts.reduce((a, b) => a + b, 0) }
}

/**
 * The licenses a restore of a backup of `store` into an empty store sends, in its order (the pack's:
 * sorted paths): those backed up (`rights.backup` true), less the expired ones (the restore skips them,
 * ARCHITECTURE.md).
 */
async function restoreTexts(store: string): Promise<string[]> {
  const now = Date.now()
  return (await licenseTexts(store))
    .map(text => text.trim())
    .filter(text => {
      const claims = JSON.parse(Buffer.from(text.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
        exp?: number
        rights?: { backup?: boolean }
      }
      const expired = typeof claims.exp === 'number' && claims.exp * 1000 <= now
      return claims.rights?.backup === true && !expired
    })
}

/**
 * The HTTP baseline: the batches a restore sends (same licenses, same order, ≤ 1000 each), posted straight to
 * the service by one client (protocol v1.1: a session proof by a fresh machine key) with no verification,
 * staging or commit around them.
 */
async function httpBaseline(store: string, url: string, token: string): Promise<Record<string, unknown>> {
  const texts = await restoreTexts(store)
  const opening = await sessionOpening(generateKeyPairSync('ed25519').privateKey, url)
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const started = performance.now()
  const opened = await fetch(`${url}/v1/sessions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ...opening, individualize: true })
  })
  if (opened.status !== 201) throw new Error(`opening a session answered ${opened.status}`)
  const session = (await opened.json()) as { id: string }
  let restored = 0
  for (let i = 0; i < texts.length; i += 1000) {
    const response = await fetch(`${url}/v1/sessions/${session.id}/restore`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': `bench-${opening.machine.id}-${i}` },
      body: JSON.stringify({ licenses: texts.slice(i, i + 1000) })
    })
    if (response.status !== 200) throw new Error(`restore answered ${response.status}`)
    const body = (await response.json()) as { results: Array<{ status: string }> }
    restored += body.results.filter(r => r.status === 'restored').length
  }
  await fetch(`${url}/v1/sessions/${session.id}`, { method: 'DELETE', headers })
  const ms = performance.now() - started
  if (restored !== texts.length) throw new Error(`the service restored ${restored} of ${texts.length}`)
  return { ms, sent: texts.length, restored }
}

const started = performance.now()
const result = await main()
console.log(
  JSON.stringify({
    op,
    wallMs: performance.now() - started,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    ...result
  })
)
