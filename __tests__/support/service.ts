import { afterEach } from '@jest/globals'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { machineFromSeed } from '../../src/fixtures/store.js'
import { sessionProof, type MachineKey } from '../../src/engine/service/proof.js'
import type { KeyObject } from 'node:crypto'
import {
  createLicenseServer,
  type LicenseServer,
  type LicenseServerOptions
} from '../../packages/license-server/src/license-server.js'
import type { WireResult } from '@license-backup/protocol/wire'

export const TOKEN = 'test-token-0123456789'

export interface Machine {
  id: string
  jwk: { kty: string; crv: string; x: string }
}

/** The private keys of the test machines, kept out of the `Machine` a test sends as `machine`. */
const privateKeys = new WeakMap<Machine, KeyObject>()

export async function machine(seed: number): Promise<Machine> {
  const m = await machineFromSeed(seed)
  const made: Machine = { id: m.id, jwk: { kty: 'OKP', crv: 'Ed25519', x: String(m.jwk.x) } }
  privateKeys.set(made, m.privateKey)
  return made
}

/** A test machine as the client takes it (its private key included). */
export async function machineKey(seed: number): Promise<MachineKey> {
  const m = await machineFromSeed(seed)
  return { id: m.id, publicJwk: m.jwk as MachineKey['publicJwk'], privateKey: m.privateKey }
}

/** A session proof (protocol v1.1) by a test machine, for the service at `base`. */
export async function proofFor(m: Machine, base: string, now = Date.now()): Promise<string> {
  const privateKey = privateKeys.get(m)
  if (!privateKey) throw new Error('proofFor needs a machine made by machine(seed)')
  return sessionProof({ id: m.id, publicJwk: m.jwk, privateKey }, base, now)
}

export async function tempDir(prefix = 'lb-service-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

export function license(issuer: Issuer, jti: string, extra: Record<string, unknown> = {}): string {
  return issuer.sign({
    jti,
    key_id: `key-${jti}`,
    iss: issuer.iss,
    iat: 1767225600,
    exp: 4102444800,
    rights: { play: true, backup: true },
    ...extra
  })
}

export function claimsOf(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[1] as string, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >
}

export interface Running {
  server: LicenseServer
  issuer: Issuer
  /** The SQLite file the server keeps its state in. */
  database: string
  dir: string
}

export async function startServer(options: Partial<LicenseServerOptions> = {}): Promise<Running> {
  const dir = await tempDir()
  // A test that gives the server a key ring signs its licenses with an issuer of its own.
  const issuer = options.issuer && 'jwks' in options.issuer ? (options.issuer as Issuer) : createIssuer()
  const database = options.database ?? join(dir, 'state.db')
  const server = await createLicenseServer({
    database,
    tokens: [TOKEN],
    ...options,
    issuer: options.issuer ?? issuer
  })
  return { server, issuer, database, dir }
}

/**
 * The machines that hold a license and have not released it, sorted: a released slot still counts until
 * its lease ends (ADR 0160), but the machine no longer holds it.
 */
export async function unreleasedHolders(server: LicenseServer, jti: string): Promise<string[]> {
  const holders = (await server.store.machines(jti)) ?? []
  return holders.flatMap(h => (h.releasedAt === null ? [h.machineId] : [])).sort()
}

/** A raw protocol call, as a test sees it on the wire. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {}
): Promise<{ status: number; type: string; text: string; json: unknown; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== null) headers['authorization'] = `Bearer ${options.token ?? TOKEN}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
  })
  const text = await res.text()
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json, headers: res.headers }
}

/** A POST with the caller's token and, for a restore batch, its Idempotency-Key. */
export async function post(
  base: string,
  token: string,
  path: string,
  body: unknown,
  key?: string
): Promise<{ status: number; text: string }> {
  const { status, text } = await call(base, 'POST', path, {
    body,
    token,
    headers: key ? { 'idempotency-key': key } : {}
  })
  return { status, text }
}

/** A `POST /v1/sessions` body for a test machine, with its proof for the service at `base`. */
export async function sessionBody(
  m: Machine,
  base: string,
  now = Date.now()
): Promise<{ machine: Machine; individualize: boolean; proof: string }> {
  return { machine: m, individualize: true, proof: await proofFor(m, base, now) }
}

/** Opens a session at `base`; `audience` is the URL its proof names (a service's public URL, if set). */
export async function openSession(
  base: string,
  m: Machine,
  token?: string,
  audience = base
): Promise<string> {
  const res = await call(base, 'POST', '/v1/sessions', {
    body: await sessionBody(m, audience),
    ...(token ? { token } : {})
  })
  if (res.status !== 201) throw new Error(`open session: ${res.status} ${res.text}`)
  return (res.json as { id: string }).id
}

export type { WireResult }

export async function restoreOn(
  base: string,
  session: string,
  licenses: string[],
  key = `key-${Math.random()}`
): Promise<{ status: number; results: WireResult[]; text: string }> {
  const res = await call(base, 'POST', `/v1/sessions/${session}/restore`, {
    body: { licenses },
    headers: { 'idempotency-key': key }
  })
  return {
    status: res.status,
    results: (res.json as { results: WireResult[] } | undefined)?.results ?? [],
    text: res.text
  }
}

/**
 * Servers for one test file: `start` starts one, and every server in `running` is closed after each test
 * (a test that closes one itself takes it out of `running`).
 */
export function serversClosedAfterEach(): {
  start: (options?: Partial<LicenseServerOptions>) => Promise<Running>
  running: LicenseServer[]
} {
  const running: LicenseServer[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map(s => s.close()))
  })
  const start = async (options: Partial<LicenseServerOptions> = {}): Promise<Running> => {
    const r = await startServer(options)
    running.push(r.server)
    return r
  }
  return { start, running }
}
