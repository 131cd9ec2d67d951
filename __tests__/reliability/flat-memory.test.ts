// The memory shape (issue 15, ADR 0130): a backup, a verified backup, the verify step, a restore, a renewal
// and a release of 50,000 licenses (issue 27) run under the same heap limit as 5,000. Not timed: a child
// process with `--max-old-space-size` either finishes or dies of an out-of-memory error, so a return to
// memory that grows with the store fails here.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { generateStore } from '../../src/fixtures/store.js'
import { createLicenseServer } from '../../packages/license-server/src/license-server.js'
import { buildChild } from './crash-support.js'

/**
 * The main thread's old-space limit, MB. The engine's live heap is ~10 MB at 5,000 licenses and at
 * 50,000 alike; before ADR 0130 (per-license entries, the store's paths, the parsed index) the run of
 * 50,000 died of an out-of-memory error under this limit while 5,000 fitted.
 */
const HEAP_LIMIT_MB = 32
const TOKEN = 'memory-test-token'
/**
 * Most of the store is expired: every license is packed, read and verified, but the expired ones are
 * not sent to the service, which keeps the service's re-issue (not under test) short.
 */
const SHAPE = { restrictedShare: 0.05, expiredShare: 0.9, boundShare: 0 }

let root: string
let issuer: Issuer
let child: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lb-flat-'))
  issuer = createIssuer()
  await writeFile(join(root, 'jwks.json'), JSON.stringify(issuer.jwks()))
  child = await buildChild('memory-child')
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
  await rm(child, { force: true })
})

interface Outcome {
  ok: boolean
  restored?: number
  renewed?: number
  released?: number
  code?: string
  message?: string
}

async function runUnderLimit(count: number): Promise<{ outcome?: Outcome; stderr: string }> {
  const dir = join(root, String(count))
  const store = join(dir, 'store')
  await generateStore(store, issuer, { count, seed: count, ...SHAPE })
  const server = await createLicenseServer({ issuer, database: join(dir, 'service.db'), tokens: [TOKEN] })
  try {
    const job = {
      store,
      backup: join(dir, 'backup'),
      target: join(dir, 'target'),
      jwksFile: join(root, 'jwks.json'),
      serviceUrl: server.url,
      token: TOKEN
    }
    return await new Promise((done, fail) => {
      const proc = spawn(
        process.execPath,
        [`--max-old-space-size=${HEAP_LIMIT_MB}`, child, JSON.stringify(job)],
        { stdio: ['ignore', 'pipe', 'pipe'] }
      )
      let stdout = ''
      let stderr = ''
      proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      proc.on('error', fail)
      proc.on('close', () => {
        const line = stdout.trim().split('\n').pop()
        done({ stderr: stderr.slice(-2000), ...(line ? { outcome: JSON.parse(line) as Outcome } : {}) })
      })
    })
  } finally {
    await server.close()
    await rm(dir, { recursive: true, force: true })
  }
}

describe('memory that does not grow with the store', () => {
  it.each([5_000, 50_000])(
    'backs up (without and with signature checks), verifies, restores, renews and releases %i licenses within a %s MB heap'.replace(
      '%s',
      String(HEAP_LIMIT_MB)
    ),
    async count => {
      const { outcome, stderr } = await runUnderLimit(count)
      expect({ outcome, stderr: outcome ? '' : stderr }).toMatchObject({ outcome: { ok: true }, stderr: '' })
      // The licenses neither restricted nor expired (a tenth of them) went through the service.
      expect(outcome?.restored).toBeGreaterThan(count * 0.05)
      // Every copy the restore wrote is a lease: each is renewed, then given back.
      expect(outcome).toMatchObject({ renewed: outcome?.restored, released: outcome?.restored })
    },
    // Six operations in a row at 50,000: the verified backup, the renewal and the release added to the
    // three of issue 15; the four of them took 337-390 s on a 2-core machine under load.
    720_000
  )
})
