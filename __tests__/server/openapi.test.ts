import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { LicenseServer } from '../../src/server/license-server.js'
import {
  checkAnswer,
  documentedAnswers,
  loadOpenApi,
  matchPath,
  validate,
  type Observed
} from '../helpers/openapi.js'
import { license, machine, startServer, TOKEN } from '../helpers/service.js'
import type { Issuer } from '../../src/fixtures/issuer.js'

const doc = loadOpenApi()
const observed: Observed[] = []
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
  observed.push(answer)
  return { ...answer, json: text ? (JSON.parse(text) as unknown) : undefined }
}

beforeAll(async () => {
  ;({ server, issuer } = await startServer({
    tokens: [TOKEN, { token: 'reader', access: 'read' }, 'limited']
  }))
})
afterAll(() => server.close())

describe('docs/openapi.yaml', () => {
  it('describes every answer the reference server gives, and the server gives every documented answer', async () => {
    const m = await machine(1)
    const open = { body: { machine: m, individualize: true } }
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

    const problems = observed.flatMap(answer => checkAnswer(doc, answer))
    expect(problems).toEqual([])
    const seen = new Set(
      observed.map(a => `${a.method} ${matchPath(doc, a.path.split('?')[0] as string)} ${a.status}`)
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
      'r.results[0].reason: "lost" is not one of restore-limit, revoked, expired, invalid-signature, invalid-license'
    ])
  })
})
