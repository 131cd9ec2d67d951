// Answers a real registry cannot be made to give on demand: 429 with Retry-After, 5xx, and GHCR's
// Packages API exchanges (recorded shapes), with nock. Redirects use two real loopback servers.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import nock from 'nock'
import { RegistryClient } from '../../src/action/registry/client.js'
import { githubPackagesDeleter, packageLink } from '../../src/action/registry/github-packages.js'
import { fetchManifest } from '../../src/action/registry/manifests.js'
import { parseRepository } from '../../src/action/registry/reference.js'
import { registerSecret } from '../support/secret-scan.js'

const TOKEN = 'ghcr-token-for-nock-3e1d'
registerSecret(TOKEN)
const ORIGIN = 'https://registry.example.test'

afterEach(() => {
  nock.cleanAll()
})
afterAll(() => {
  // Unpatch fetch: a later test file in the same Jest process would otherwise meet a stale interceptor.
  nock.restore()
})

function client(waits: number[], extra = {}): RegistryClient {
  return new RegistryClient(parseRepository('registry.example.test/acme/lb'), {
    credentials: { username: 'u', password: TOKEN },
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 },
    sleep: async ms => {
      waits.push(ms)
    },
    random: () => 0.5,
    now: () => Date.parse('2026-11-30T00:00:00Z'),
    ...extra
  })
}

const manifest = JSON.stringify({ schemaVersion: 2 })

describe('retries', () => {
  it('waits as Retry-After asks on 429, then uses the answer', async () => {
    nock(ORIGIN)
      .get('/v2/acme/lb/manifests/nightly')
      .reply(429, '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}', { 'retry-after': '7' })
      .get('/v2/acme/lb/manifests/nightly')
      .reply(200, manifest)
    const waits: number[] = []
    const fetched = await fetchManifest(client(waits), 'nightly')
    expect(fetched?.json).toEqual({ schemaVersion: 2 })
    expect(waits).toEqual([7000])
  })

  it('backs off on 5xx and gives up after the last attempt with SERVICE_UNAVAILABLE naming the registry', async () => {
    nock(ORIGIN).get('/v2/acme/lb/manifests/nightly').times(3).reply(503, 'down')
    const waits: number[] = []
    await expect(fetchManifest(client(waits), 'nightly')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining(
        'The registry registry.example.test did not complete GET /v2/acme/lb/manifests/nightly: the last of 3 attempt(s) got HTTP 503'
      )
    })
    expect(waits).toEqual([5, 5])
  })

  it('a Retry-After beyond the limit fails at once, saying when to run again', async () => {
    nock(ORIGIN).get('/v2/acme/lb/manifests/nightly').reply(429, '', { 'retry-after': '3600' })
    await expect(fetchManifest(client([]), 'nightly')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining(
        'asked to wait 3600 s; run the step again after 2026-11-30T01:00:00.000Z'
      )
    })
  })

  it("puts the registry's own words in the error as one printable line that starts no runner command", async () => {
    nock(ORIGIN)
      .get('/v2/acme/lb/manifests/nightly')
      .reply(400, { errors: [{ code: 'DENIED', message: 'no\n::error::forged ##[group]x \u0007' }] })
    const error = (await fetchManifest(client([]), 'nightly').catch((e: unknown) => e)) as Error
    expect(error.message).toContain('with HTTP 400 (DENIED: no ::error::forged #-[group]x  ).')
    expect(error.message).not.toMatch(/\n|##\[/)
  })

  it('403 is UNAUTHORIZED naming registry, repository and where the token came from, never the token', async () => {
    nock(ORIGIN)
      .get('/v2/acme/lb/manifests/nightly')
      .reply(403, { errors: [{ code: 'DENIED' }] })
    const error = (await fetchManifest(
      client([], { credentialsHint: 'user u and the token in $GHCR_TOKEN' }),
      'nightly'
    ).catch((e: unknown) => e)) as Error
    expect(error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining(
        'The registry registry.example.test denied the request for repository acme/lb (HTTP 403, with user u and the token in $GHCR_TOKEN)'
      )
    })
    expect(error.message).not.toContain(TOKEN)
  })

  it('a token server that is not HTTPS is refused before the credentials are sent', async () => {
    nock(ORIGIN)
      .get('/v2/acme/lb/manifests/nightly')
      .reply(401, '', { 'www-authenticate': 'Bearer realm="http://auth.example.test/token",service="x"' })
    await expect(fetchManifest(client([]), 'nightly')).rejects.toMatchObject({
      code: 'SERVICE_ERROR',
      message: expect.stringContaining(
        'The registry registry.example.test asks for a token from http://auth.example.test, which is not HTTPS'
      )
    })
  })
})

describe('redirects', () => {
  const servers: Server[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(s => new Promise(done => s.close(done))))
  })

  async function serve(
    handler: (url: string, headers: IncomingHttpHeaders) => [number, Record<string, string>, string]
  ) {
    const server = createServer((req, res) => {
      const [status, headers, body] = handler(req.url ?? '', req.headers)
      res.writeHead(status, headers).end(body)
    })
    servers.push(server)
    await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
    return `127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  it('follows a blob store redirect without sending the registry credentials to the other origin', async () => {
    const seen: (string | undefined)[] = []
    const storage = await serve((_url, headers) => {
      seen.push(headers.authorization)
      return [200, {}, manifest]
    })
    const registry = await serve((_url, headers) =>
      headers.authorization
        ? [307, { location: `http://${storage}/signed?x=1` }, '']
        : [401, { 'www-authenticate': 'Basic realm="r"' }, '']
    )
    const repo = new RegistryClient(parseRepository(`http://${registry}/acme/lb`), {
      credentials: { username: 'u', password: TOKEN }
    })
    const fetched = await fetchManifest(repo, 'nightly')
    expect(fetched?.json).toEqual({ schemaVersion: 2 })
    expect(seen).toEqual([undefined])
  })
})

describe("GHCR's Packages API", () => {
  const api = 'https://api.github.com'
  const repository = parseRepository('ghcr.io/acme/license-backups')

  it('deletes the version named by the digest, looking the owner up as an organization, then a user', async () => {
    const digest = `sha256:${'b'.repeat(64)}`
    nock(api)
      .get('/orgs/acme/packages/container/license-backups/versions')
      .query({ per_page: '100' })
      .reply(404, { message: 'Not Found' })
      .get('/users/acme/packages/container/license-backups/versions')
      .query({ per_page: '100' })
      .reply(200, [
        {
          id: 11,
          name: digest,
          metadata: { package_type: 'container', container: { tags: ['20261101T000000Z'] } }
        },
        { id: 12, name: `sha256:${'c'.repeat(64)}`, metadata: { container: { tags: ['nightly'] } } }
      ])
      .delete('/users/acme/packages/container/license-backups/versions/11')
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(204)
    const deleter = githubPackagesDeleter({ repository, apiUrl: api, token: TOKEN, fetch: globalThis.fetch })
    await deleter(digest)
    expect(nock.isDone()).toBe(true)
  })

  it('a token that may not delete is UNAUTHORIZED, with what to grant', async () => {
    nock(api)
      .get('/orgs/acme/packages/container/license-backups/versions')
      .query(true)
      .reply(200, [{ id: 5, name: `sha256:${'d'.repeat(64)}` }])
      .delete('/orgs/acme/packages/container/license-backups/versions/5')
      .reply(403, { message: 'Must have admin rights to Repository.' })
    const deleter = githubPackagesDeleter({
      repository,
      apiUrl: api,
      token: TOKEN,
      fetch: globalThis.fetch,
      ownerKind: 'orgs'
    })
    await expect(deleter(`sha256:${'d'.repeat(64)}`)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('may not delete package versions')
    })
  })

  it('links the package page on GitHub', () => {
    expect(packageLink(repository, 'orgs')).toBe(
      'https://github.com/orgs/acme/packages/container/package/license-backups'
    )
    expect(packageLink(parseRepository('registry.example.test/acme/lb'), undefined)).toBe(
      'registry.example.test/acme/lb'
    )
  })
})
