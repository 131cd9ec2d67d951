// Deadlines on blob transfers (ADR 0187): a registry that stalls mid-body, one that never answers an
// upload, and one that trickles, played by loopback servers of the test's own with short timeouts
// injected. Each fails the attempt as transient, is retried, and the step fails in bounded time.
import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pullBlob, pushBlob } from '../../src/action/registry/blobs.js'
import { RegistryClient } from '../../src/action/registry/client.js'
import { parseRepository } from '../../src/action/registry/reference.js'
import { tempDirs } from '../support/engine.js'
import { loopbackServers } from './loopback.js'

const serve = loopbackServers()
const dirs = tempDirs()
const BYTES = Buffer.alloc(64 * 1024, 7)
const BLOB = {
  mediaType: 'application/octet-stream',
  digest: `sha256:${createHash('sha256').update(BYTES).digest('hex')}`,
  size: BYTES.length
}

function client(origin: string, extra = {}): RegistryClient {
  return new RegistryClient(parseRepository(`${origin}/acme/lb`), {
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    idleTimeoutMs: 200,
    ...extra
  })
}

async function timed<T>(work: Promise<T>): Promise<{ result: T | unknown; ms: number }> {
  const start = Date.now()
  const result = await work.catch((e: unknown) => e)
  return { result, ms: Date.now() - start }
}

describe('a download', () => {
  it('that stalls mid-body fails each attempt after the idle timeout and the step in bounded time', async () => {
    const registry = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(BLOB.size) })
      res.write(BYTES.subarray(0, BLOB.size / 2)) // then nothing, the connection held open
    })
    const target = join(await dirs.make(), 'licenses.tar.gz')
    const { result, ms } = await timed(pullBlob(client(registry.origin), BLOB, target))
    expect(result).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining(
        `did not complete the download of blob ${BLOB.digest}: the last of 2 attempt(s) got a stalled transfer (no byte moved for 0.2 s)`
      )
    })
    expect(registry.seen.map(s => s.method)).toEqual(['GET', 'GET'])
    expect(ms).toBeLessThan(5000)
    expect(existsSync(target)).toBe(false)
  })

  it('that stalls once is retried, and the second attempt completes', async () => {
    let calls = 0
    const registry = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(BLOB.size) })
      if (++calls === 1) res.write(BYTES.subarray(0, 1000))
      else res.end(BYTES)
    })
    const target = join(await dirs.make(), 'licenses.tar.gz')
    // A second's idle allowance: the completing attempt must not be taken for a stall on a loaded machine.
    await pullBlob(client(registry.origin, { idleTimeoutMs: 1000 }), BLOB, target)
    expect((await readFile(target)).equals(BYTES)).toBe(true)
    expect(calls).toBe(2)
  })

  it('that trickles fails at its overall deadline although bytes keep coming', async () => {
    const registry = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(BLOB.size) })
      let sent = 0
      const drip = setInterval(() => {
        if (res.destroyed || sent >= BLOB.size) return clearInterval(drip)
        res.write(BYTES.subarray(sent, ++sent))
      }, 20)
      res.on('close', () => clearInterval(drip))
    })
    const repo = client(registry.origin, { idleTimeoutMs: 1000, transferDeadlineMs: () => 300 })
    const { result, ms } = await timed(pullBlob(repo, BLOB, join(await dirs.make(), 'licenses.tar')))
    expect(result).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('a stalled transfer (it took longer than its deadline of 0.3 s)')
    })
    expect(ms).toBeLessThan(5000)
  })
})

describe('an upload', () => {
  it('that the registry never answers fails after the idle timeout, on every attempt', async () => {
    const registry = await serve((req, res, origin) => {
      if (req.method === 'HEAD') res.writeHead(404).end()
      else if (req.method === 'POST')
        res.writeHead(202, { location: `${origin}/v2/acme/lb/blobs/uploads/1` }).end()
      // PUT: the body is read, and no answer ever comes.
      else req.resume()
    })
    const { result, ms } = await timed(pushBlob(client(registry.origin), BYTES, BLOB))
    expect(result).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('a stalled transfer (no byte moved for 0.2 s)')
    })
    expect(registry.seen.map(s => s.method)).toEqual(['HEAD', 'POST', 'PUT', 'HEAD', 'POST', 'PUT'])
    expect(ms).toBeLessThan(5000)
  })
})
