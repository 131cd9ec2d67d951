// Each attack issue 12 found on the reference service, as a regression test (the crash one is in
// crash-durability.test.ts).
import { describe, expect, it, jest } from '@jest/globals'
import { connect } from 'node:net'
import { createIssuer } from '../../../src/fixtures/issuer.js'
import {
  call,
  license,
  machine,
  openSession,
  restoreOn,
  serversClosedAfterEach,
  sessionBody,
  TOKEN
} from '../../../__tests__/support/service.js'

const { start } = serversClosedAfterEach()

/**
 * Sends raw request headers, then body bytes in 64 KiB pieces until `bodyBytes` are sent or the server
 * closes the connection; returns what came back and how much of the body the connection took.
 */
function rawRequest(
  url: string,
  head: string,
  bodyBytes: number
): Promise<{ response: string; sent: number }> {
  const { hostname, port } = new URL(url)
  return new Promise(resolve => {
    const socket = connect(Number(port), hostname)
    let response = ''
    let sent = 0
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      socket.destroy()
      resolve({ response, sent })
    }
    const piece = Buffer.alloc(64 * 1024, 0x5b)
    const pump = (): void => {
      while (!done && sent < bodyBytes) {
        sent += piece.length
        if (!socket.write(piece)) {
          socket.once('drain', pump)
          return
        }
      }
    }
    socket.on('data', chunk => (response += chunk.toString('latin1')))
    socket.on('end', finish)
    socket.on('close', finish)
    socket.on('error', finish)
    socket.write(head, () => setTimeout(pump, 20))
  })
}

describe('attacks on the license service', () => {
  it('a token restores only its tenant’s licenses: another customer’s is not-yours and uses none of its slots', async () => {
    const { server, issuer } = await start({ tokens: [] })
    await server.store.addTenant('alice-corp', { licensees: ['alice'] })
    await server.store.addTenant('bob-corp', { licensees: ['bob'] })
    const bob = (await server.store.issueToken('bob-corp', 'restore', 'x')).token
    const alice = (await server.store.issueToken('alice-corp', 'restore', 'x')).token
    const alices = license(issuer, 'lic-alice', { sub: 'alice' })
    for (const seed of [1, 2, 3, 4, 5]) {
      const session = await openSession(server.url, await machine(seed), bob)
      const res = await call(server.url, 'POST', `/v1/sessions/${session}/restore`, {
        token: bob,
        body: { licenses: [alices] },
        headers: { 'idempotency-key': `k${seed}` }
      })
      expect((res.json as { results: unknown[] }).results).toEqual([
        {
          jti: 'lic-alice',
          status: 'refused',
          reason: 'not-yours',
          url: `${server.url}/help/not-yours?jti=lic-alice`
        }
      ])
    }
    expect(await server.machinesOf('lic-alice')).toEqual([])
    for (const seed of [6, 7, 8, 9]) {
      const session = await openSession(server.url, await machine(seed), alice)
      const res = await call(server.url, 'POST', `/v1/sessions/${session}/restore`, {
        token: alice,
        body: { licenses: [alices] },
        headers: { 'idempotency-key': `k${seed}` }
      })
      expect((res.json as { results: Array<{ status: string }> }).results[0]?.status).toBe('restored')
    }
  })

  it('caps the sessions a token may hold open (5,000 were accepted)', async () => {
    const { server } = await start({ maxSessionsPerToken: 3 })
    for (const seed of [1, 2, 3]) await openSession(server.url, await machine(seed))
    const fourth = await call(server.url, 'POST', '/v1/sessions', {
      body: await sessionBody(await machine(4), server.url)
    })
    expect(fourth.status).toBe(429)
    // Until the oldest of the three expires (an hour, the default session lifetime).
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(3500)
    expect((fourth.json as { detail: string }).detail).toMatch(/3 open sessions/)
  })

  it('stores nothing of licenses whose signature fails: 12 KB jtis leave no trace in the database', async () => {
    const { server } = await start()
    const forger = createIssuer({ kid: 'issuer-key-1' })
    const jti = `forged-${'j'.repeat(12 * 1024)}`
    // key_id repeats the jti: about 33 KB a license, 15 MB in all, under the 16 MiB cap.
    const batch = Array.from({ length: 450 }, (_, i) => license(forger, `${jti}-${i}`))
    const session = await openSession(server.url, await machine(3))
    const res = await restoreOn(server.url, session, batch)
    expect(res.status).toBe(200)
    expect(res.results.every(r => r.reason === 'invalid-signature')).toBe(true)
    for (const table of ['licenses', 'holdings', 'answers', 'audit', 'sessions']) {
      const rows = await server.store.engine.read<Record<string, unknown>>(`SELECT * FROM ${table}`)
      expect(JSON.stringify(rows)).not.toContain('jjjjjjjjjjjjjjjj')
      expect(JSON.stringify(rows).length).toBeLessThan(200_000)
    }
  })

  it('refuses deeply nested JSON before parsing it', async () => {
    const { server } = await start()
    const session = await openSession(server.url, await machine(4))
    const depth = 8 * 1024 * 1024
    const res = await fetch(`${server.url}/v1/sessions/${session}/restore`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'idempotency-key': 'deep'
      },
      body: '['.repeat(depth) + ']'.repeat(depth)
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { detail: string }).detail).toMatch(/deeper than 8 levels/)
  })

  it('answers 413 to a declared Content-Length past the cap without reading the body, and closes', async () => {
    const { server } = await start({ maxBodyBytes: 1024 * 1024 })
    const session = await openSession(server.url, await machine(5))
    const declared = 256 * 1024 * 1024
    const { response, sent } = await rawRequest(
      server.url,
      `POST /v1/sessions/${session}/restore HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        `Content-Type: application/json\r\nIdempotency-Key: big\r\nContent-Length: ${declared}\r\n\r\n`,
      declared
    )
    expect(response).toMatch(/^HTTP\/1\.1 413 /)
    expect(response).toMatch(/connection: close/i)
    // The connection closed long before the 256 MiB were sent (socket buffers take a few MiB at most).
    expect(sent).toBeLessThan(32 * 1024 * 1024)
  })

  it('stops reading a streamed (chunked) body at the cap, answers 413 and closes', async () => {
    const { server } = await start({ maxBodyBytes: 1024 * 1024 })
    const session = await openSession(server.url, await machine(6))
    const chunk = (size: number) => `${size.toString(16)}\r\n${'['.repeat(size)}\r\n`
    const { hostname, port } = new URL(server.url)
    const result = await new Promise<{ response: string; sent: number }>(resolve => {
      const socket = connect(Number(port), hostname)
      let response = ''
      let sent = 0
      let done = false
      const finish = (): void => {
        if (done) return
        done = true
        socket.destroy()
        resolve({ response, sent })
      }
      socket.on('data', c => (response += c.toString('latin1')))
      socket.on('close', finish)
      socket.on('error', finish)
      socket.write(
        `POST /v1/sessions/${session}/restore HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
          `Content-Type: application/json\r\nIdempotency-Key: streamed\r\nTransfer-Encoding: chunked\r\n\r\n`
      )
      const pump = (): void => {
        while (!done && sent < 256 * 1024 * 1024) {
          sent += 64 * 1024
          if (!socket.write(chunk(64 * 1024))) {
            socket.once('drain', pump)
            return
          }
        }
      }
      pump()
    })
    expect(result.response).toMatch(/^HTTP\/1\.1 413 /)
    expect(result.sent).toBeLessThan(32 * 1024 * 1024)
  })

  it('reads no body of an unauthenticated request: 401, then the connection closes', async () => {
    const { server } = await start()
    const declared = 64 * 1024 * 1024
    const { response, sent } = await rawRequest(
      server.url,
      `POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`,
      declared
    )
    expect(response).toMatch(/^HTTP\/1\.1 401 /)
    expect(response).toMatch(/connection: close/i)
    expect(sent).toBeLessThan(32 * 1024 * 1024)
  })

  it('rate-limits a token however its Authorization header is spelled', async () => {
    const { server } = await start({ rateLimit: { requests: 3, windowMs: 60_000 } })
    const m = await machine(7)
    const statuses: number[] = []
    for (const header of [
      `bearer ${TOKEN}`,
      `BEARER ${TOKEN}`,
      `Bearer  ${TOKEN}`,
      `Bearer\t${TOKEN}`,
      `Bearer ${TOKEN} `
    ]) {
      const res = await call(server.url, 'POST', '/v1/sessions', {
        token: null,
        headers: { authorization: header },
        body: await sessionBody(m, server.url)
      })
      statuses.push(res.status)
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429])
  })

  it('takes __proto__, constructor and toString as jti and Idempotency-Key like any other value', async () => {
    const { server, issuer } = await start()
    const session = await openSession(server.url, await machine(8))
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const batch = [license(issuer, name)]
      const first = await restoreOn(server.url, session, batch, name)
      expect(first.status).toBe(200)
      expect(first.results).toMatchObject([{ jti: name, status: 'restored' }])
      const replay = await restoreOn(server.url, session, batch, name)
      expect(replay.text).toBe(first.text)
      expect(await server.machinesOf(name)).toHaveLength(1)
    }
    const body = await call(server.url, 'POST', '/v1/sessions', {
      body: JSON.parse('{"__proto__": {"individualize": true}, "machine": {"__proto__": {"id": "x"}}}')
    })
    expect(body.status).toBe(400)
  })

  it('answers GET //[ and other odd paths with a clean problem, no stack anywhere', async () => {
    const lines: string[] = []
    const { server } = await start({ log: line => lines.push(line) })
    const stderr = jest.spyOn(process.stderr, 'write')
    const consoleError = jest.spyOn(console, 'error')
    try {
      for (const path of [
        '//[',
        '/%',
        '/v1/admin/licenses/%E0%A4%A/machines',
        '/v1/sessions/..%2f..%2f/restore'
      ]) {
        const { response } = await rawRequest(
          server.url,
          `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          0
        )
        expect(response).toMatch(/^HTTP\/1\.1 (400|401|404|405) /)
        expect(response).toMatch(/application\/problem\+json/)
        expect(response).not.toMatch(/at .*\.(ts|js):\d+/)
      }
      expect(stderr).not.toHaveBeenCalled()
      expect(consoleError).not.toHaveBeenCalled()
      expect(lines.join('\n')).not.toMatch(/"level":"error"|at .*:\d+:\d+/)
    } finally {
      stderr.mockRestore()
      consoleError.mockRestore()
    }
  })
})
