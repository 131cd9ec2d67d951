// Credentials stay home (ADR 0185): a challenge is answered only when the 401 came from the registry's own
// origin, Basic credentials go only to a token server on a trusted origin, and every URL the client
// follows is HTTPS or loopback. Loopback servers of the test's own play the registry and the other origins.
import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pullBlob, pushBlob } from '../../src/action/registry/blobs.js'
import { RegistryClient } from '../../src/action/registry/client.js'
import { fetchManifest, listTags } from '../../src/action/registry/manifests.js'
import { parseRepository } from '../../src/action/registry/reference.js'
import { registerSecret } from '../support/secret-scan.js'
import { loopbackServers } from './loopback.js'

const PASSWORD = 'origins-test-password-9c1f'
registerSecret(PASSWORD)
const BASIC = `Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}`
const serve = loopbackServers()
const manifest = JSON.stringify({ schemaVersion: 2 })

function client(origin: string, extra = {}): { client: RegistryClient; warnings: string[] } {
  const warnings: string[] = []
  const repo = new RegistryClient(parseRepository(`${origin}/acme/lb`), {
    credentials: { username: 'u', password: PASSWORD },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    warn: message => warnings.push(message),
    ...extra
  })
  return { client: repo, warnings }
}

/** A token server that hands out `token-<n>` to anyone. */
async function tokenServer() {
  let n = 0
  return serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `token-${++n}` }))
  })
}

/** A registry that wants a Bearer token from `realm` and serves one manifest to any Bearer. */
async function bearerRegistry(realm: () => string) {
  return serve((req, res) => {
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm()}",service="s"` }).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest)
  })
}

describe('token servers', () => {
  it('asks a token server on another origin without the credentials, and says so', async () => {
    const auth = await tokenServer()
    const registry = await bearerRegistry(() => `${auth.origin}/token`)
    const { client: repo, warnings } = client(registry.origin)
    expect((await fetchManifest(repo, 'nightly'))?.json).toEqual({ schemaVersion: 2 })
    expect(auth.seen.length).toBe(1)
    expect(auth.seen.every(s => s.authorization === undefined)).toBe(true)
    expect(warnings).toEqual([
      expect.stringContaining(
        `names the token server ${auth.origin}, which is not its own origin: asking it for a token without the credentials`
      )
    ])
  })

  it('sends the credentials to a token server on the registry origin', async () => {
    let origin = ''
    const registry = await serve((req, res) => {
      if (req.url?.startsWith('/token')) {
        res.writeHead(200).end(JSON.stringify({ token: 'own' }))
        return
      }
      if (req.headers.authorization !== 'Bearer own') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${origin}/token"` }).end()
        return
      }
      res.writeHead(200).end(manifest)
    })
    origin = registry.origin
    const { client: repo, warnings } = client(registry.origin)
    await fetchManifest(repo, 'nightly')
    expect(registry.seen.filter(s => s.url.startsWith('/token')).map(s => s.authorization)).toEqual([BASIC])
    expect(warnings).toEqual([])
  })

  it('sends the credentials to a token server the steps file lists in token-realms', async () => {
    const auth = await tokenServer()
    const registry = await bearerRegistry(() => `${auth.origin}/token`)
    const { client: repo, warnings } = client(registry.origin, { tokenRealms: [auth.origin] })
    await fetchManifest(repo, 'nightly')
    expect(auth.seen.map(s => s.authorization)).toEqual([BASIC])
    expect(warnings).toEqual([])
  })

  it('a refusal after an anonymous token says the credentials were not sent there', async () => {
    const auth = await tokenServer()
    const registry = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${auth.origin}/token"` }).end()
    })
    await expect(fetchManifest(client(registry.origin).client, 'nightly')).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining(`the credentials were not sent to its token server ${auth.origin}`)
    })
    expect(auth.seen.every(s => s.authorization === undefined)).toBe(true)
  })
})

describe('redirects', () => {
  it('a 401 from the origin a redirect led to is not answered: no credential goes there', async () => {
    const storage = await serve((req, res, origin) => {
      if (req.url?.startsWith('/token')) {
        res.writeHead(200).end(JSON.stringify({ token: 'stolen' }))
        return
      }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${origin}/token"` }).end()
    })
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== BASIC) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end()
        return
      }
      res.writeHead(307, { location: `${storage.origin}/blob?sig=1` }).end()
    })
    const error = await fetchManifest(client(registry.origin).client, 'nightly').catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'SERVICE_ERROR',
      message: expect.stringContaining(
        `to ${storage.origin}, which asked for credentials (HTTP 401); the registry's credentials are never sent to another origin`
      )
    })
    expect(storage.seen.map(s => s.url)).toEqual(['/blob?sig=1'])
    expect(storage.seen.every(s => s.authorization === undefined)).toBe(true)
  })
})

describe('a blob download (node:http, ADR 0239)', () => {
  const BYTES = Buffer.alloc(3 * 1024 * 1024 + 5, 9)
  const BLOB = {
    mediaType: 'application/octet-stream',
    digest: `sha256:${createHash('sha256').update(BYTES).digest('hex')}`,
    size: BYTES.length
  }

  async function target(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'lb-origins-'))
    return join(dir, 'licenses.tar.gz')
  }

  it('follows a redirect to storage without the credentials, asks for no content coding, and checks the bytes', async () => {
    let coding: string | undefined
    const storage = await serve((req, res) => {
      coding = req.headers['accept-encoding']
      res.writeHead(200, { 'content-length': String(BYTES.length) }).end(BYTES)
    })
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== BASIC) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end()
        return
      }
      res.writeHead(307, { location: `${storage.origin}/blob?sig=1` }).end()
    })
    const file = await target()
    await pullBlob(client(registry.origin).client, BLOB, file)
    expect((await readFile(file)).equals(BYTES)).toBe(true)
    expect(storage.seen).toEqual([{ method: 'GET', url: '/blob?sig=1', authorization: undefined }])
    // The digest is of the bytes as stored: no coding is asked for that would change them on the way.
    expect(coding).toBeUndefined()
    await rm(join(file, '..'), { recursive: true })
  })

  it('stops at a byte more than the manifest gives: BACKUP_CORRUPT, and no file left', async () => {
    const registry = await serve((_req, res) => {
      res.writeHead(200)
      res.write(BYTES)
      res.end(Buffer.from('more'))
    })
    const file = await target()
    await expect(pullBlob(client(registry.origin).client, BLOB, file)).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringContaining(`more than the ${BYTES.length} bytes its manifest gives`)
    })
    expect(existsSync(file)).toBe(false)
    await rm(join(file, '..'), { recursive: true })
  })

  it("reads an error answer's body for its message", async () => {
    const registry = await serve((_req, res) => {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] }))
    })
    const file = await target()
    await expect(pullBlob(client(registry.origin).client, BLOB, file)).rejects.toMatchObject({
      code: 'SERVICE_ERROR',
      message: expect.stringContaining('with HTTP 404 (BLOB_UNKNOWN: blob unknown to registry)')
    })
    expect(existsSync(file)).toBe(false)
    await rm(join(file, '..'), { recursive: true })
  })
})

describe('followed URLs are HTTPS or loopback', () => {
  it('refuses a plain-HTTP page link to another host', async () => {
    const registry = await serve((_req, res) => {
      res
        .writeHead(200, { link: '<http://tags.example.test/v2/acme/lb/tags/list?last=a>; rel="next"' })
        .end(JSON.stringify({ tags: ['a'] }))
    })
    await expect(listTags(client(registry.origin).client)).rejects.toMatchObject({
      code: 'SERVICE_ERROR',
      message: expect.stringContaining(
        'linked the next page of tags to http://tags.example.test, which is not HTTPS; refusing to go there'
      )
    })
    expect(registry.seen.length).toBe(1)
  })

  it('refuses a plain-HTTP upload location on another host', async () => {
    const registry = await serve((req, res) => {
      if (req.method === 'HEAD') res.writeHead(404).end()
      else res.writeHead(202, { location: 'http://uploads.example.test/upload/1' }).end()
    })
    const bytes = Buffer.from('{}')
    const digest = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'
    await expect(pushBlob(client(registry.origin).client, bytes, { digest, size: 2 })).rejects.toMatchObject({
      code: 'SERVICE_ERROR',
      message: expect.stringContaining(
        'gave the upload location http://uploads.example.test, which is not HTTPS'
      )
    })
    expect(registry.seen.map(s => s.method)).toEqual(['HEAD', 'POST'])
  })
})
