import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { LicenseServer } from '../src/license-server.js'
import {
  checkAnswer,
  documentedAnswers,
  loadOpenApi,
  matchPath,
  validate,
  type Observed
} from '../../../__tests__/support/openapi.js'
import { license, machine, sessionBody, startServer, TOKEN } from '../../../__tests__/support/service.js'
import type { Issuer } from '../../../src/fixtures/issuer.js'

const doc = loadOpenApi()
/** What the server answered, by the exchange that asked (driven once, before the tests that check it). */
const observed = { sessions: [] as Observed[], admin: [] as Observed[], v11: [] as Observed[] }
let asking: Observed[] = []
let server: LicenseServer
let issuer: Issuer

async function ask(
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {}
): Promise<Observed & { json: unknown }> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== null) headers['authorization'] = `Bearer ${options.token ?? TOKEN}`
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  if (body !== undefined) headers['content-type'] ??= 'application/json'
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body })
  })
  const text = await res.text()
  const answer = {
    method,
    path,
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    headers: res.headers,
    text
  }
  asking.push(answer)
  return { ...answer, json: text ? (JSON.parse(text) as unknown) : undefined }
}

beforeAll(async () => {
  ;({ server, issuer } = await startServer({
    tokens: [TOKEN, { token: 'reader', access: 'read' }, 'limited']
  }))
  for (const [group, exchange] of [
    [observed.sessions, sessionExchange],
    [observed.admin, adminExchange],
    [observed.v11, v11Exchange]
  ] as const) {
    asking = group
    await exchange()
  }
})
afterAll(() => server.close())

const problems = (answers: Observed[]): string[] => answers.flatMap(answer => checkAnswer(doc, answer))

describe('docs/openapi.yaml', () => {
  it('describes every answer of the sessions and restores (v1)', () => {
    expect(observed.sessions.length).toBeGreaterThan(20)
    expect(problems(observed.sessions)).toEqual([])
  })

  it('describes every answer of the admin API, /healthz and /readyz', () => {
    expect(observed.admin.length).toBeGreaterThan(40)
    expect(problems(observed.admin)).toEqual([])
  })

  it('describes the v1.1 calls: proof refusals, preview and release', () => {
    expect(observed.v11.length).toBeGreaterThan(15)
    expect(problems(observed.v11)).toEqual([])
  })

  it('the server gave every documented answer', () => {
    const all = [...observed.sessions, ...observed.admin, ...observed.v11]
    const seen = new Set(
      all.map(a => `${a.method} ${matchPath(doc, a.path.split('?')[0] as string)} ${a.status}`)
    )
    expect(documentedAnswers(doc).filter(answer => !seen.has(answer))).toEqual([])
  })

  it('the checker finds answers that do not conform', () => {
    const headers = new Headers({ 'content-type': 'application/json' })
    const base = {
      method: 'POST',
      path: '/v1/sessions/abc/restore',
      headers,
      contentType: 'application/json'
    }
    expect(checkAnswer(doc, { ...base, status: 418, text: '{}' })).toEqual([
      'POST /v1/sessions/{id}/restore 418: status not documented'
    ])
    expect(
      checkAnswer(doc, { ...base, status: 200, text: '{"results":[{"jti":"a","status":"restored"}]}' })
    ).toEqual(['POST /v1/sessions/{id}/restore 200 body.results[0]: required license is missing'])
    expect(checkAnswer(doc, { ...base, status: 200, contentType: 'text/html', text: '<p>' })[0]).toMatch(
      /content type/
    )
    expect(
      checkAnswer(doc, { ...base, status: 429, contentType: 'application/problem+json', text: '{}' })
    ).toEqual(
      expect.arrayContaining([
        'POST /v1/sessions/{id}/restore 429: header Retry-After is missing',
        'POST /v1/sessions/{id}/restore 429 body: required detail is missing'
      ])
    )
    const refused = { results: [{ jti: 'a', status: 'refused', reason: 'lost' }] }
    expect(validate(doc, { $ref: '#/components/schemas/RestoreResponse' }, refused, 'r')).toEqual([
      'r.results[0].reason: "lost" is not one of restore-limit, revoked, expired, invalid-signature, invalid-license, not-yours, released'
    ])
  })
})

/** Sessions and restores (protocol v1): every answer, refusal and failure the server can give. */
async function sessionExchange(): Promise<void> {
  const m = await machine(1)
  const open = { body: await sessionBody(m, server.url) }
  const session = ((await ask('POST', '/v1/sessions', open)).json as { id: string }).id
  const restorePath = `/v1/sessions/${session}/restore`
  const withKey = (key: string) => ({ headers: { 'idempotency-key': key } })
  await ask('POST', '/v1/sessions', {
    body: { machine: { ...m, id: 'not-the-thumbprint' }, individualize: true }
  })
  await ask('POST', '/v1/sessions', { ...open, headers: { 'content-type': 'text/plain' } })

  const batch = [license(issuer, 'a'), license(issuer, 'b')]
  await server.revoke('b')
  await ask('POST', restorePath, { body: { licenses: batch }, ...withKey('k1') })
  await ask('POST', restorePath, { body: { licenses: batch }, ...withKey('k1') })
  await ask('POST', restorePath, { body: { licenses: [batch[0]] }, ...withKey('k1') })
  await ask('POST', restorePath, { body: { licenses: batch } })
  await ask('POST', restorePath, {
    body: { licenses: Array.from({ length: 1001 }, () => 'x.y.z') },
    ...withKey('k2')
  })
  await ask('POST', restorePath, {
    raw: 'licenses',
    headers: { 'content-type': 'text/plain', 'idempotency-key': 'k3' }
  })
  await ask('POST', '/v1/sessions/unknown/restore', { body: { licenses: batch }, ...withKey('k4') })
  await ask('DELETE', '/v1/sessions/unknown')

  const calls: Array<[string, string, object]> = [
    ['POST', '/v1/sessions', open],
    ['POST', restorePath, { body: { licenses: batch }, ...withKey('k5') }],
    ['DELETE', `/v1/sessions/${session}`, {}]
  ]
  for (const [method, path, options] of calls) {
    await ask(method, path, { ...options, token: null })
    await ask(method, path, { ...options, token: 'reader' })
  }
  // 503 for everything, 429 past a rate limit.
  for (const [method, path, options] of [
    ...calls,
    ['GET', '/.well-known/jwks.json', { token: null }] as const
  ]) {
    server.failNext(1, { retryAfter: 2 })
    await ask(method, path, options)
  }
  const limited = await startServer({ issuer, tokens: [TOKEN], rateLimit: { requests: 0, windowMs: 1000 } })
  const main = server
  server = limited.server
  for (const [method, path, options] of calls) await ask(method, path, options)
  await limited.server.close()
  server = main

  await ask('GET', '/.well-known/jwks.json', { token: null })
  await ask('DELETE', `/v1/sessions/${session}`)
}

/** The admin API, /healthz and /readyz. */
async function adminExchange(): Promise<void> {
  const store = server.store
  await store.addTenant('vendor', { operator: true })
  await store.addTenant('acme', { licensees: ['alice'] })
  const operator = (await store.issueToken('vendor', 'admin', 'x')).token
  const acmeAdmin = (await store.issueToken('acme', 'admin', 'x')).token
  const acmeReader = (await store.issueToken('acme', 'read', 'x')).token
  const acmeRestore = (await store.issueToken('acme', 'restore', 'x')).token
  const m = await machine(2)
  const opened = await ask('POST', '/v1/sessions', {
    token: acmeRestore,
    body: await sessionBody(m, server.url)
  })
  const session = (opened.json as { id: string }).id
  await ask('POST', `/v1/sessions/${session}/restore`, {
    token: acmeRestore,
    body: {
      licenses: [license(issuer, 'acme-1', { sub: 'alice' }), license(issuer, 'acme-2', { sub: 'alice' })]
    },
    headers: { 'idempotency-key': 'acme' }
  })
  const big = { raw: JSON.stringify({ name: 'x'.repeat(70_000) }) }
  const asText = { raw: '{}', headers: { 'content-type': 'text/plain' } }

  await ask('POST', '/v1/admin/tenants', { token: operator, body: { name: 'globex', licensees: ['bob'] } })
  await ask('POST', '/v1/admin/tenants', { token: operator, body: { name: 42 } })
  await ask('POST', '/v1/admin/tenants', { token: acmeAdmin, body: { name: 'evil' } })
  await ask('POST', '/v1/admin/tenants', { token: operator, body: { name: 'globex' } })
  await ask('POST', '/v1/admin/tenants', { token: operator, ...big })
  await ask('POST', '/v1/admin/tenants', { token: operator, ...asText })

  const licensees = '/v1/admin/tenants/acme/licensees'
  await ask('POST', licensees, { token: operator, body: { licensees: ['alice-2'] } })
  await ask('POST', licensees, { token: operator, body: { licensees: 'alice-3' } })
  await ask('POST', licensees, { token: acmeAdmin, body: { licensees: ['x'] } })
  await ask('POST', '/v1/admin/tenants/nobody/licensees', { token: operator, body: { licensees: ['x'] } })
  await ask('POST', licensees, { token: operator, body: { licensees: ['bob'] } })
  await ask('POST', licensees, { token: operator, ...big })
  await ask('POST', licensees, { token: operator, ...asText })
  await ask('GET', licensees, { token: acmeReader })
  await ask('GET', '/v1/admin/tenants/globex/licensees', { token: acmeAdmin })
  await ask('GET', '/v1/admin/tenants/nobody/licensees', { token: operator })
  await ask('GET', licensees, { token: acmeRestore })

  await ask('POST', '/v1/admin/tokens', { token: acmeAdmin, body: { role: 'read', label: 'dashboard' } })
  await ask('POST', '/v1/admin/tokens', { token: acmeAdmin, body: { role: 'root' } })
  await ask('POST', '/v1/admin/tokens', { token: acmeAdmin, body: { role: 'read', tenant: 'globex' } })
  await ask('POST', '/v1/admin/tokens', { token: operator, body: { role: 'read', tenant: 'nobody' } })
  await ask('POST', '/v1/admin/tokens', { token: acmeAdmin, ...big })
  await ask('POST', '/v1/admin/tokens', { token: acmeAdmin, ...asText })

  await ask('GET', '/v1/admin/licenses/acme-1/machines', { token: acmeReader })
  await ask('GET', '/v1/admin/licenses/unknown/machines', { token: acmeReader })
  await ask('GET', '/v1/admin/licenses/acme-1/machines', { token: acmeRestore })
  await ask('DELETE', `/v1/admin/licenses/acme-1/machines/${m.id}`, { token: acmeAdmin })
  await ask('DELETE', `/v1/admin/licenses/acme-1/machines/${m.id}`, { token: acmeAdmin })
  await ask('DELETE', `/v1/admin/licenses/acme-1/machines/${m.id}`, { token: acmeReader })
  await ask('POST', '/v1/admin/licenses/acme-2/revoke', { token: acmeAdmin })
  await ask('POST', '/v1/admin/licenses/unknown/revoke', { token: acmeAdmin })
  await ask('POST', '/v1/admin/licenses/acme-2/revoke', { token: acmeReader })
  await ask('GET', '/v1/admin/keys', { token: operator })
  await ask('GET', '/v1/admin/keys', { token: acmeAdmin })
  await ask('GET', '/v1/admin/audit?limit=20', { token: acmeReader })
  await ask('GET', '/v1/admin/audit?limit=0', { token: acmeReader })
  await ask('GET', '/v1/admin/audit', { token: acmeRestore })

  const policy = '/v1/admin/policies/tenants/acme'
  await ask('PUT', policy, { token: operator, body: { lease_seconds: 3600, release: 'immediate' } })
  await ask('PUT', '/v1/admin/policies/licenses/acme-1', { token: operator, body: { restore_limit: 2 } })
  await ask('PUT', policy, { token: operator, body: { release: null } })
  await ask('GET', policy, { token: operator })
  await ask('GET', '/v1/admin/policies/licenses/never-seen', { token: operator })
  await ask('PUT', policy, { token: operator, body: { lease_seconds: 59 } })
  await ask('PUT', policy, { token: operator, body: { limit: 2 } })
  await ask('PUT', policy, { token: acmeAdmin, body: { release: 'immediate' } })
  await ask('GET', policy, { token: acmeAdmin })
  await ask('GET', '/v1/admin/policies/tenants/nobody', { token: operator })
  await ask('PUT', '/v1/admin/policies/tenants/nobody', { token: operator, body: { restore_limit: 2 } })
  await ask('PUT', policy, { token: operator, ...big })
  await ask('PUT', policy, { token: operator, ...asText })

  const adminCalls: Array<[string, string, object]> = [
    ['POST', '/v1/admin/tenants', { body: { name: 'x' } }],
    ['POST', licensees, { body: { licensees: ['y'] } }],
    ['GET', licensees, {}],
    ['GET', '/v1/admin/keys', {}],
    ['POST', '/v1/admin/tokens', { body: { role: 'read' } }],
    ['POST', '/v1/admin/licenses/acme-2/revoke', {}],
    ['GET', '/v1/admin/licenses/acme-2/machines', {}],
    ['DELETE', `/v1/admin/licenses/acme-2/machines/${m.id}`, {}],
    ['GET', '/v1/admin/audit', {}],
    ['GET', policy, {}],
    ['PUT', policy, { body: { restore_limit: 3 } }]
  ]
  for (const [method, path, options] of adminCalls) {
    await ask(method, path, { ...options, token: null })
    server.failNext(1, { retryAfter: 2 })
    await ask(method, path, { ...options, token: operator })
  }
  const limited = await startServer({ issuer, tokens: [TOKEN], rateLimit: { requests: 0, windowMs: 1000 } })
  const main = server
  server = limited.server
  for (const [method, path, options] of adminCalls) await ask(method, path, options)
  await ask('GET', '/healthz', { token: null })
  await ask('GET', '/readyz', { token: null })
  // A database that has gone away: not ready.
  await limited.server.store.engine.close()
  await ask('GET', '/readyz', { token: null })
  await limited.server.close().catch(() => undefined)
  server = main
}

/** The v1.1 calls: proof refusals, preview and release. */
async function v11Exchange(): Promise<void> {
  const m = await machine(3)
  await ask('POST', '/v1/sessions', { body: { machine: m, individualize: true } })
  const session = (
    (await ask('POST', '/v1/sessions', { body: await sessionBody(m, server.url) })).json as {
      id: string
    }
  ).id
  const batch = [license(issuer, 'p1'), license(issuer, 'p2')]
  await server.revoke('p2')
  const previewPath = `/v1/sessions/${session}/preview`
  const releasePath = `/v1/sessions/${session}/release`
  const renewPath = `/v1/sessions/${session}/renew`
  await ask('POST', previewPath, { body: { licenses: batch } })
  const restored = await ask('POST', `/v1/sessions/${session}/restore`, {
    body: { licenses: [batch[0]], lease_seconds: 3600 },
    headers: { 'idempotency-key': 'p' }
  })
  const copy = (restored.json as { results: Array<{ license: string }> }).results[0]?.license as string
  await ask('POST', renewPath, { body: { licenses: [copy, batch[0], batch[1]], lease_seconds: 600 } })
  await ask('POST', previewPath, { body: { licenses: batch } })
  await ask('POST', releasePath, { body: { jtis: ['p1', 'p1', 'never'] } })
  await ask('POST', renewPath, { body: { licenses: [copy] } })
  await ask('POST', renewPath, { body: { licenses: [copy], lease_seconds: 1 } })
  for (const path of [previewPath, releasePath, renewPath]) {
    await ask('POST', path, { body: { licenses: 'x', jtis: 'x' } })
    await ask('POST', path, {
      body: { licenses: Array.from({ length: 1001 }, () => 'x.y.z'), jtis: Array(1001).fill('j') }
    })
    await ask('POST', path, { raw: '{}', headers: { 'content-type': 'text/plain' } })
    await ask('POST', path.replace(session, 'unknown'), { body: { licenses: batch, jtis: ['p1'] } })
    await ask('POST', path, { body: { licenses: batch, jtis: ['p1'] }, token: null })
    await ask('POST', path, { body: { licenses: batch, jtis: ['p1'] }, token: 'reader' })
    server.failNext(1, { retryAfter: 2 })
    await ask('POST', path, { body: { licenses: batch, jtis: ['p1'] } })
  }
  const main = server
  const strict = await startServer({ issuer, tokens: [TOKEN], allowRelease: false })
  server = strict.server
  const own = (
    (await ask('POST', '/v1/sessions', { body: await sessionBody(m, server.url) })).json as {
      id: string
    }
  ).id
  await ask('POST', `/v1/sessions/${own}/release`, { body: { jtis: ['p1'] } })
  await strict.server.close()
  const limited = await startServer({ issuer, tokens: [TOKEN], rateLimit: { requests: 0, windowMs: 1000 } })
  server = limited.server
  await ask('POST', previewPath, { body: { licenses: batch } })
  await ask('POST', releasePath, { body: { jtis: ['p1'] } })
  await ask('POST', renewPath, { body: { licenses: [copy] } })
  await limited.server.close()
  server = main
}
