// kill -9 of the service (SQLite) at random moments during restores, then a restart on the same file:
// every acknowledged answer is still there and replays byte for byte, and no license is on more than 4
// machines. Before issue 12 a kill before the first snapshot lost everything (8 machines got a license).
import { describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { createIssuer, saveIssuer } from '../../../src/fixtures/issuer.js'
import { openEngine } from '../src/storage/open.js'
import { LicenseStore } from '../src/storage/store.js'
import { freePort, startServerProcess, type ServerProcess } from '../../../src/fixtures/server-process.js'
import {
  claimsOf,
  license,
  machine,
  post,
  sessionBody,
  tempDir,
  type WireResult
} from '../../../__tests__/support/service.js'

async function setUp() {
  const dir = await tempDir()
  const database = join(dir, 'service.db')
  const issuer = createIssuer()
  const issuerFile = join(dir, 'issuer.json')
  await saveIssuer(issuer, issuerFile)
  const store = new LicenseStore(openEngine(database))
  await store.engine.migrate()
  await store.addTenant('acme', { anyLicensee: true })
  const token = (await store.issueToken('acme', 'restore', 'crash')).token
  await store.engine.close()
  return { database, issuer, issuerFile, token, port: await freePort() }
}

describe('the service killed with SIGKILL', () => {
  it('restored onto 4 machines, killed at once, restarted: 4 more machines are refused', async () => {
    const { database, issuer, issuerFile, token, port } = await setUp()
    const lic = license(issuer, 'lic-L')
    let server: ServerProcess = await startServerProcess({ issuerFile, database, port })
    for (const seed of [1, 2, 3, 4]) {
      const session = JSON.parse(
        (await post(server.url, token, '/v1/sessions', await sessionBody(await machine(seed), server.url)))
          .text
      ) as { id: string }
      const res = await post(
        server.url,
        token,
        `/v1/sessions/${session.id}/restore`,
        { licenses: [lic] },
        'k'
      )
      expect((JSON.parse(res.text) as { results: WireResult[] }).results[0]?.status).toBe('restored')
    }
    await server.kill9()
    server = await startServerProcess({ issuerFile, database, port })
    try {
      for (const seed of [5, 6, 7, 8]) {
        const session = JSON.parse(
          (await post(server.url, token, '/v1/sessions', await sessionBody(await machine(seed), server.url)))
            .text
        ) as { id: string }
        const res = await post(
          server.url,
          token,
          `/v1/sessions/${session.id}/restore`,
          { licenses: [lic] },
          'k'
        )
        expect((JSON.parse(res.text) as { results: WireResult[] }).results[0]?.reason).toBe('restore-limit')
      }
    } finally {
      await server.stop()
    }
  }, 60_000)

  it('leases: renewals and releases acknowledged, killed at once, restarted: each renewed lease is kept, each released slot still counted', async () => {
    const { database, issuer, issuerFile, token, port } = await setUp()
    const lic = license(issuer, 'lic-lease')
    let server: ServerProcess = await startServerProcess({ issuerFile, database, port })
    const renewed = new Map<string, number>()
    for (const seed of [11, 12, 13, 14]) {
      const m = await machine(seed)
      const session = (
        JSON.parse(
          (await post(server.url, token, '/v1/sessions', await sessionBody(m, server.url))).text
        ) as {
          id: string
        }
      ).id
      const path = `/v1/sessions/${session}`
      const restored = JSON.parse(
        (await post(server.url, token, `${path}/restore`, { licenses: [lic] }, 'k')).text
      ) as {
        results: WireResult[]
      }
      const copy = restored.results[0]?.license as string
      // Half renew (a shorter lease, which never shortens the slot), half release and keep the copy.
      if (seed % 2 === 0) {
        const res = JSON.parse(
          (await post(server.url, token, `${path}/renew`, { licenses: [copy] })).text
        ) as {
          results: WireResult[]
        }
        expect(res.results[0]?.status).toBe('renewed')
        renewed.set(m.id, claimsOf(res.results[0]?.license as string)['exp'] as number)
      } else {
        const res = await post(server.url, token, `${path}/release`, { jtis: ['lic-lease'] })
        expect(res.status).toBe(200)
      }
    }
    await server.kill9()
    server = await startServerProcess({ issuerFile, database, port })
    const store = new LicenseStore(openEngine(database))
    try {
      const holders = (await store.machines('lic-lease')) ?? []
      expect(holders).toHaveLength(4)
      expect(holders.filter(h => h.releasedAt !== null)).toHaveLength(2)
      for (const [id, exp] of renewed) {
        expect(holders.find(h => h.machineId === id)?.leaseUntil).toBeGreaterThanOrEqual(exp * 1000)
      }
      const fifth = (
        JSON.parse(
          (await post(server.url, token, '/v1/sessions', await sessionBody(await machine(15), server.url)))
            .text
        ) as { id: string }
      ).id
      const res = await post(server.url, token, `/v1/sessions/${fifth}/restore`, { licenses: [lic] }, 'k5')
      expect((JSON.parse(res.text) as { results: WireResult[] }).results[0]?.reason).toBe('restore-limit')
    } finally {
      await store.engine.close()
      await server.stop()
    }
  }, 60_000)

  it('killed at 3 random moments during concurrent restores: every acknowledged answer replays byte for byte', async () => {
    const { database, issuer, issuerFile, token, port } = await setUp()
    const licenses = Array.from({ length: 10 }, (_, i) => license(issuer, `lic-${i}`))
    const machines = await Promise.all(Array.from({ length: 12 }, (_, i) => machine(100 + i)))
    const acknowledged: Array<{
      session: string
      key: string
      batch: string[]
      text: string
      machine: string
    }> = []
    for (let cycle = 0; cycle < 3; cycle++) {
      const server = await startServerProcess({
        issuerFile,
        database,
        port,
        args: ['--max-sessions', '100000']
      })
      let stopped = false
      const clients = machines.map(async (m, i) => {
        for (let n = 0; !stopped; n++) {
          try {
            const opened = await post(server.url, token, '/v1/sessions', await sessionBody(m, server.url))
            const session = (JSON.parse(opened.text) as { id: string }).id
            const batch = [licenses[(i + n) % 10] as string, licenses[(i + n + 3) % 10] as string]
            const key = `c${cycle}-m${i}-n${n}`
            const res = await post(
              server.url,
              token,
              `/v1/sessions/${session}/restore`,
              { licenses: batch },
              key
            )
            if (res.status === 200) acknowledged.push({ session, key, batch, text: res.text, machine: m.id })
          } catch {
            return // killed under it
          }
        }
      })
      // A random moment once the clients are under way.
      await new Promise(resolve => setTimeout(resolve, 150 + Math.random() * 600))
      await server.kill9()
      stopped = true
      await Promise.all(clients)
    }
    expect(acknowledged.length).toBeGreaterThan(0)
    const server = await startServerProcess({ issuerFile, database, port })
    try {
      for (const a of acknowledged) {
        const replay = await post(
          server.url,
          token,
          `/v1/sessions/${a.session}/restore`,
          { licenses: a.batch },
          a.key
        )
        expect(replay.text).toBe(a.text)
      }
      const store = new LicenseStore(openEngine(database))
      try {
        for (let i = 0; i < 10; i++) {
          const holders = ((await store.machines(`lic-${i}`)) ?? []).map(h => h.machineId)
          expect(holders.length).toBeLessThanOrEqual(4)
          const told = acknowledged.filter(a =>
            (JSON.parse(a.text) as { results: WireResult[] }).results.some(
              r => r.jti === `lic-${i}` && r.status === 'restored'
            )
          )
          for (const a of told) expect(holders).toContain(a.machine)
        }
      } finally {
        await store.engine.close()
      }
    } finally {
      await server.stop()
    }
  }, 120_000)
})
