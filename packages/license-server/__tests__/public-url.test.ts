// --public-url (issue 22, item 4): a service listening on 127.0.0.1 behind a proxy at another URL hands out
// only public URLs, and a session proof must name the public URL.
import { describe, expect, it } from '@jest/globals'
import {
  call,
  license,
  machine,
  serversClosedAfterEach,
  sessionBody,
  TOKEN
} from '../../../__tests__/support/service.js'

const { start } = serversClosedAfterEach()
const PUBLIC = 'https://licenses.example.test/lms'

describe('a service behind a proxy (--public-url)', () => {
  it('names the public URL in Location, help pages and problem types, never the address it listens on', async () => {
    const { server, issuer } = await start({ publicUrl: `${PUBLIC}/`, restoreLimit: 1, tokens: [] })
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await server.store.addTenant('alice-corp', { licensees: ['alice'] })
    await server.store.addTenant('bob-corp', { licensees: ['bob'] })
    const alice = (await server.store.issueToken('alice-corp', 'restore', 't')).token
    const m1 = await machine(1)
    const opened = await call(server.url, 'POST', '/v1/sessions', {
      token: alice,
      body: await sessionBody(m1, PUBLIC)
    })
    expect(opened.status).toBe(201)
    expect(opened.headers.get('location')).toBe(`${PUBLIC}/v1/sessions/${(opened.json as { id: string }).id}`)

    const m2 = await machine(2)
    const second = await call(server.url, 'POST', '/v1/sessions', {
      token: alice,
      body: await sessionBody(m2, PUBLIC)
    })
    const id = (second.json as { id: string }).id
    const first = (opened.json as { id: string }).id
    const lic = license(issuer, 'lic-a', { sub: 'alice' })
    const bobs = license(issuer, 'lic-b', { sub: 'bob' })
    const restore = async (sid: string, key: string) =>
      (
        await call(server.url, 'POST', `/v1/sessions/${sid}/restore`, {
          token: alice,
          body: { licenses: [lic, bobs] },
          headers: { 'idempotency-key': key }
        })
      ).json as { results: Array<{ url?: string; status: string }> }
    expect((await restore(first, 'k1')).results[0]?.status).toBe('restored')
    const refused = await restore(id, 'k2')
    expect(refused.results.map(r => r.url)).toEqual([
      `${PUBLIC}/help/restore-limit?jti=lic-a`,
      `${PUBLIC}/help/not-yours?jti=lic-b`
    ])
    const missing = await call(server.url, 'DELETE', '/v1/sessions/nope', { token: alice })
    expect((missing.json as { type: string }).type).toBe(`${PUBLIC}/problems/session-not-found`)
    expect(JSON.stringify([opened, second, refused, missing.json])).not.toContain('127.0.0.1')
  })

  it('takes a proof only for the public URL: one naming the listening address is refused', async () => {
    const { server } = await start({ publicUrl: PUBLIC })
    const m = await machine(3)
    for (const aud of [server.url, server.url.replace('127.0.0.1', 'localhost')]) {
      const res = await call(server.url, 'POST', '/v1/sessions', {
        token: TOKEN,
        body: await sessionBody(m, aud)
      })
      expect(res.status).toBe(401)
      expect((res.json as { detail: string }).detail).toContain(`it must be this service's URL (${PUBLIC})`)
    }
    const ok = await call(server.url, 'POST', '/v1/sessions', {
      token: TOKEN,
      body: await sessionBody(m, PUBLIC)
    })
    expect(ok.status).toBe(201)
  })
})
