// The restore limit stays exact under concurrent restores: 50 machines restoring the same 20 licenses at
// once, 5 times over, on SQLite (one instance) and on PostgreSQL (two instances, separate processes); and a
// kill -9 of one PostgreSQL instance mid-run loses no acknowledged restore while the clients' retries finish;
// and the lease invariant under concurrent restores, renewals and releases on two PostgreSQL instances with
// a kill -9 of one in the middle: no more machines than the limit hold an unexpired copy of any license.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { createIssuer, saveIssuer, type Issuer } from '../../../src/fixtures/issuer.js'
import { createLicenseServer, type LicenseServer } from '../src/license-server.js'
import { openEngine } from '../src/storage/open.js'
import { LicenseStore } from '../src/storage/store.js'
import { postgresAvailable, startPostgres, type Postgres } from '../../../src/fixtures/postgres-cluster.js'
import { startServerProcess, type ServerProcess } from '../../../src/fixtures/server-process.js'
import { SKEW_MS } from '../src/storage/lease-policy.js'
import {
  claimsOf,
  license,
  machine,
  post,
  sessionBody,
  tempDir,
  type Machine,
  type WireResult
} from '../../../__tests__/support/service.js'

const MACHINES = 50
const LICENSES = 20
const ROUNDS = 5

let issuer: Issuer
let machines: Machine[]
beforeAll(async () => {
  issuer = createIssuer()
  machines = await Promise.all(Array.from({ length: MACHINES }, (_, i) => machine(1000 + i)))
})

/** A tenant and a restore token, made straight in the database (as `license-server tenant add` does). */
async function provision(database: string): Promise<string> {
  const store = new LicenseStore(openEngine(database))
  try {
    await store.engine.migrate()
    await store.addTenant('acme', { anyLicensee: true })
    return (await store.issueToken('acme', 'restore', 'load')).token
  } finally {
    await store.engine.close()
  }
}

/** A restore that, when its instance dies under it, retries the same batch (same key) on the next one. */
async function restoreWithRetry(
  urls: string[],
  first: number,
  token: string,
  session: string,
  licenses: string[],
  key: string,
  acknowledged: (url: string, text: string) => void
): Promise<WireResult[]> {
  return postWithRetry(urls, first, token, `/v1/sessions/${session}/restore`, { licenses }, key, acknowledged)
}

/** A call that, when its instance dies under it, is sent again (the same key, if any) to the next one. */
async function postWithRetry(
  urls: string[],
  first: number,
  token: string,
  path: string,
  body: unknown,
  key?: string,
  acknowledged: (url: string, text: string) => void = () => undefined
): Promise<WireResult[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const url = urls[(first + attempt) % urls.length] as string
    try {
      const res = await post(url, token, path, body, key)
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`)
      acknowledged(url, res.text)
      return (JSON.parse(res.text) as { results: WireResult[] }).results
    } catch (error) {
      // fetch's network error (a TypeError of another realm under Jest): the instance is gone.
      if ((error as Error).message !== 'fetch failed') throw error
    }
  }
  throw new Error('no instance answered')
}

/**
 * Opens a session on a live instance; when the instance dies under the request, on the next one, with a
 * proof naming that instance (a proof's audience is the URL it is sent to).
 */
async function openWithRetry(
  alive: () => string[],
  first: number,
  open: (url: string) => Promise<{ status: number; text: string }>
): Promise<{ status: number; text: string }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const urls = alive()
    try {
      return await open(urls[(first + attempt) % urls.length] as string)
    } catch (error) {
      // fetch's network error (a TypeError of another realm under Jest): the instance is gone.
      if ((error as Error).message !== 'fetch failed') throw error
    }
  }
  throw new Error('no instance answered')
}

interface Acknowledged {
  url: string
  session: string
  key: string
  licenses: string[]
  text: string
}

/** Runs the rounds, recording each answer in `acknowledged`; returns, per license, the machines whose
 * answers said restored. */
async function load(
  urls: () => string[],
  token: string,
  rounds: number,
  acknowledged: Acknowledged[] = [],
  during?: () => Promise<void>
): Promise<Map<string, Set<string>>> {
  const restored = new Map<string, Set<string>>()
  const sessions = await Promise.all(
    machines.map(async (m, i) => {
      const url = urls()[i % urls().length] as string
      const res = await post(url, token, '/v1/sessions', await sessionBody(m, url))
      expect(res.status).toBe(201)
      return (JSON.parse(res.text) as { id: string }).id
    })
  )
  for (let round = 0; round < rounds; round++) {
    const licenses = Array.from({ length: LICENSES }, (_, i) =>
      license(issuer, `r${round}-${i}-${Math.random()}`)
    )
    const work = machines.map(async (m, i) => {
      const session = sessions[i] as string
      const key = `round-${round}-${i}`
      const results = await restoreWithRetry(urls(), i, token, session, licenses, key, (url, text) =>
        acknowledged.push({ url, session, key, licenses, text })
      )
      for (const r of results) {
        if (r.status !== 'restored') {
          expect(r.reason).toBe('restore-limit')
          continue
        }
        if (!restored.has(r.jti)) restored.set(r.jti, new Set())
        restored.get(r.jti)?.add(m.id)
      }
    })
    await Promise.all([...work, during?.()])
  }
  return restored
}

async function expectExactlyFour(
  store: LicenseStore,
  restored: Map<string, Set<string>>,
  rounds: number
): Promise<void> {
  expect(restored.size).toBe(rounds * LICENSES)
  for (const [jti, holders] of restored) {
    expect(holders.size).toBe(4)
    const stored = ((await store.machines(jti)) ?? []).map(h => h.machineId).sort()
    expect(stored).toEqual([...holders].sort())
  }
}

describe('restore limit under concurrent restores', () => {
  it('SQLite, one instance: every license ends on exactly 4 machines', async () => {
    const dir = await tempDir()
    const database = join(dir, 'service.db')
    const token = await provision(database)
    const server: LicenseServer = await createLicenseServer({ issuer, database })
    try {
      await expectExactlyFour(server.store, await load(() => [server.url], token, ROUNDS), ROUNDS)
    } finally {
      await server.close()
    }
  })

  const pgIt = postgresAvailable() ? it : it.skip
  let cluster: Postgres | undefined
  afterAll(async () => {
    await cluster?.stop()
  })
  /** Two service processes on one new PostgreSQL database, started at the same moment. */
  async function twoInstances(
    name: string
  ): Promise<{ database: string; token: string; instances: ServerProcess[] }> {
    cluster ??= await startPostgres()
    const database = await cluster.database(name)
    const token = await provision(database)
    const issuerFile = join(await tempDir(), 'issuer.json')
    await saveIssuer(issuer, issuerFile)
    const instances = await Promise.all([0, 1].map(() => startServerProcess({ issuerFile, database })))
    return { database, token, instances }
  }

  pgIt(
    'PostgreSQL, two instances: exactly 4 machines each; a kill -9 of one mid-run loses nothing acknowledged',
    async () => {
      const { database, token, instances } = await twoInstances('concurrency')
      const store = new LicenseStore(openEngine(database))
      let alive = instances.map(i => i.url)
      try {
        await expectExactlyFour(store, await load(() => alive, token, ROUNDS), ROUNDS)

        // One more round, and instance 1 is killed as soon as it has acknowledged a batch.
        const [victim] = instances as [ServerProcess]
        const acknowledged: Acknowledged[] = []
        const restored = await load(
          () => alive,
          token,
          1,
          acknowledged,
          async () => {
            while (!acknowledged.some(a => a.url === victim.url))
              await new Promise(resolve => setTimeout(resolve, 2))
            await victim.kill9()
            alive = [instances[1]?.url as string]
          }
        )
        await expectExactlyFour(store, restored, 1)
        // Every answer instance 1 acknowledged before it died is still there, and replays, from instance 2.
        const fromVictim = acknowledged.filter(a => a.url === victim.url)
        expect(fromVictim.length).toBeGreaterThan(0)
        for (const a of fromVictim) {
          const replay = await post(
            alive[0] as string,
            token,
            `/v1/sessions/${a.session}/restore`,
            { licenses: a.licenses },
            a.key
          )
          expect(replay.text.replaceAll(alive[0] as string, '')).toBe(a.text.replaceAll(victim.url, ''))
        }
      } finally {
        await store.engine.close()
        await Promise.all(instances.map(i => (i.child.exitCode === null ? i.stop() : undefined)))
      }
    },
    180_000
  )

  pgIt(
    'PostgreSQL, two instances, leases: concurrent restores, renewals and releases and a kill -9 of one leave no license with more than 4 machines holding an unexpired copy',
    async () => {
      const { database, token, instances } = await twoInstances('leases')
      const store = new LicenseStore(openEngine(database))
      let alive = instances.map(i => i.url)
      const [victim] = instances as [ServerProcess]
      let answered = 0
      /** Every copy any machine was given, by license: the machine and the copy's exp. */
      const copies = new Map<string, Array<{ machineId: string; exp: number }>>()
      const keep = (machineId: string, results: WireResult[]): string[] =>
        results.flatMap(r => {
          if (r.license === undefined) return []
          const exp = claimsOf(r.license)['exp'] as number
          copies.set(r.jti, [...(copies.get(r.jti) ?? []), { machineId, exp }])
          return [r.license]
        })
      try {
        const licenses = Array.from({ length: LICENSES }, (_, i) => license(issuer, `lease-${i}`))
        const work = machines.map(async (m, i) => {
          const opened = await openWithRetry(
            () => alive,
            i,
            async url => post(url, token, '/v1/sessions', await sessionBody(m, url))
          )
          expect(opened.status).toBe(201)
          const path = `/v1/sessions/${(JSON.parse(opened.text) as { id: string }).id}`
          const send = async (call: string, body: unknown, key?: string) => {
            const results = await postWithRetry(alive, i, token, `${path}/${call}`, body, key)
            answered++
            return results
          }
          // Restore, renew what it got, give half of it back (keeping the files), restore and renew again.
          const held = keep(m.id, await send('restore', { licenses }, `first-${i}`))
          keep(m.id, await send('renew', { licenses: held, lease_seconds: 3600 }))
          const back = held.slice(0, Math.ceil(held.length / 2)).map(jws => claimsOf(jws)['jti'] as string)
          await send('release', { jtis: back })
          const again = keep(m.id, await send('restore', { licenses, lease_seconds: 7200 }, `again-${i}`))
          // A restore takes a released slot back, so each copy it gave renews.
          const renewed = await send('renew', { licenses: again })
          expect(renewed.map(r => r.status)).toEqual(again.map(() => 'renewed'))
          keep(m.id, renewed)
        })
        const kill = (async () => {
          while (answered < machines.length) await new Promise(resolve => setTimeout(resolve, 2))
          await victim.kill9()
          alive = [instances[1]?.url as string]
        })()
        await Promise.all([...work, kill])
        expect(victim.child.exitCode ?? victim.child.signalCode).toBe('SIGKILL')

        const now = Date.now()
        expect(copies.size).toBe(LICENSES)
        for (const [jti, issued] of copies) {
          const unexpired = new Set(issued.filter(c => c.exp * 1000 + SKEW_MS > now).map(c => c.machineId))
          expect(unexpired.size).toBeLessThanOrEqual(4)
          // Each of those machines is one the service counts: none holds a copy the service forgot.
          const counted = ((await store.machines(jti)) ?? []).map(h => h.machineId)
          expect(counted).toEqual(expect.arrayContaining([...unexpired]))
          expect(counted.length).toBeLessThanOrEqual(4)
        }
      } finally {
        await store.engine.close()
        await Promise.all(
          instances.map(i =>
            i.child.exitCode === null && i.child.signalCode === null ? i.stop() : undefined
          )
        )
      }
    },
    180_000
  )
})
