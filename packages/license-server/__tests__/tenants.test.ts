// Licensees belong to tenants by the operator's word only (issue 22, item 2), against the real service on
// SQLite and, when installed, PostgreSQL.
import { describe, expect, it } from '@jest/globals'
import {
  call,
  license,
  machine,
  openSession,
  serversClosedAfterEach
} from '../../../__tests__/support/service.js'
import { storageEngines } from '../../../__tests__/support/storage-engines.js'

const { start } = serversClosedAfterEach()

describe.each(storageEngines('tenants'))('tenants and licensees on %s', (_name, newDatabase) => {
  /** A service with tenants alice-corp (licensee alice), bob-corp (bob) and the operator's tenant. */
  async function world(): Promise<{
    running: Awaited<ReturnType<typeof start>>
    admin: { alice: string; bob: string; operator: string }
    restoreToken: { alice: string }
  }> {
    const running = await start({ tokens: [], database: await newDatabase() })
    const { store } = running.server
    await store.addTenant('alice-corp', { licensees: ['alice'] })
    await store.addTenant('bob-corp', { licensees: ['bob'] })
    await store.addTenant('vendor', { operator: true })
    const token = async (tenant: string, role: 'admin' | 'restore'): Promise<string> =>
      (await store.issueToken(tenant, role, 'test')).token
    return {
      running,
      admin: {
        alice: await token('alice-corp', 'admin'),
        bob: await token('bob-corp', 'admin'),
        operator: await token('vendor', 'admin')
      },
      restoreToken: { alice: await token('alice-corp', 'restore') }
    }
  }

  it('a tenant’s admin may not claim another customer’s licensee: 403, and the vendor’s tenant add still works', async () => {
    const { running, admin } = await world()
    const { server } = running
    const claim = await call(server.url, 'POST', '/v1/admin/tenants/bob-corp/licensees', {
      token: admin.bob,
      body: { licensees: ['carol'] }
    })
    expect(claim.status).toBe(403)
    expect(claim.type).toBe('application/problem+json')
    expect(claim.json).toMatchObject({
      type: `${server.url}/problems/forbidden`,
      detail: expect.stringMatching(/only the operator/i)
    })
    await expect(server.store.addTenant('carol-inc', { licensees: ['carol'] })).resolves.toMatchObject({
      name: 'carol-inc'
    })
    const byOperator = await call(server.url, 'POST', '/v1/admin/tenants/bob-corp/licensees', {
      token: admin.operator,
      body: { licensees: ['bob-eu'] }
    })
    expect(byOperator.status).toBe(204)
  })

  it('a tenant’s admin lists its own licensees, not another tenant’s', async () => {
    const { running, admin } = await world()
    const { server } = running
    const own = await call(server.url, 'GET', '/v1/admin/tenants/alice-corp/licensees', {
      token: admin.alice
    })
    expect(own.status).toBe(200)
    expect(own.json).toEqual({ tenant: 'alice-corp', any_licensee: false, licensees: ['alice'] })
    const other = await call(server.url, 'GET', '/v1/admin/tenants/bob-corp/licensees', {
      token: admin.alice
    })
    expect(other.status).toBe(403)
    expect(other.text).not.toContain('"bob"')
    const byOperator = await call(server.url, 'GET', '/v1/admin/tenants/bob-corp/licensees', {
      token: admin.operator
    })
    expect(byOperator.json).toMatchObject({ licensees: ['bob'] })
  })

  it('a tenant’s audit trail shows the operator’s revocations and CLI releases of its licenses, not others’', async () => {
    const { running, admin, restoreToken } = await world()
    const { server, issuer } = running
    const lic = license(issuer, 'lic-alice', { sub: 'alice' })
    const m = await machine(1)
    const session = await openSession(server.url, m, restoreToken.alice)
    const restored = await call(server.url, 'POST', `/v1/sessions/${session}/restore`, {
      token: restoreToken.alice,
      body: { licenses: [lic] },
      headers: { 'idempotency-key': 'k1' }
    })
    expect(restored.status).toBe(200)
    expect(await server.store.releaseMachine('lic-alice', m.id)).toBe('released') // the CLI's call
    expect(await server.store.revoke('lic-alice')).toBe(true) // likewise
    const trail = async (token: string): Promise<Array<{ action: string; jti?: string }>> =>
      ((await call(server.url, 'GET', '/v1/admin/audit', { token })).json as { entries: [] }).entries
    const alices = await trail(admin.alice)
    expect(alices.map(e => e.action)).toEqual(
      expect.arrayContaining(['revoke', 'machine-release', 'restore', 'session-open'])
    )
    expect(alices.find(e => e.action === 'revoke')).toMatchObject({ jti: 'lic-alice' })
    // The operator's own revocation through its admin token, shown without the operator's IDs.
    const byOperator = await call(server.url, 'POST', '/v1/admin/licenses/lic-alice/revoke', {
      token: admin.operator
    })
    expect(byOperator.status).toBe(204)
    const latest = (await trail(admin.alice))[0] as Record<string, unknown>
    expect(latest).toEqual({ at: expect.any(String), action: 'revoke', jti: 'lic-alice' })
    expect((await trail(admin.bob)).some(e => e.jti === 'lic-alice')).toBe(false)
  })

  it('a license ID no tenant has restored (revoked before any restore) is 404 to every tenant', async () => {
    const { running, admin } = await world()
    const { server } = running
    expect(await server.store.revoke('lic-unseen')).toBe(true)
    for (const token of [admin.alice, admin.bob]) {
      const listed = await call(server.url, 'GET', '/v1/admin/licenses/lic-unseen/machines', { token })
      expect(listed.status).toBe(404)
      const revoked = await call(server.url, 'POST', '/v1/admin/licenses/lic-unseen/revoke', { token })
      expect(revoked.status).toBe(404)
      const freed = await call(server.url, 'DELETE', '/v1/admin/licenses/lic-unseen/machines/m1', { token })
      expect(freed.status).toBe(404)
    }
    const byOperator = await call(server.url, 'GET', '/v1/admin/licenses/lic-unseen/machines', {
      token: admin.operator
    })
    expect(byOperator.json).toEqual({ jti: 'lic-unseen', machines: [] })
  })
})
