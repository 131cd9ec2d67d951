// The CNCF distribution registry (Debian's `docker-registry`, found on PATH) started on 127.0.0.1 for tests and
// benchmarks: TLS from a throwaway CA, storage in a temp folder, deletes enabled, and htpasswd (Basic), token
// (Bearer, with a loopback token server of our own) or no auth. Certificates come from the openssl CLI, the
// htpasswd file's bcrypt lines from src/fixtures/bcrypt.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { SignJWT } from 'jose'
import { htpasswdLine } from '../fixtures/bcrypt.js'
import { freePort } from '../fixtures/server-process.js'
import { requireTool, runTool, type Tool } from '../fixtures/tools.js'

/** The outside programs a test registry needs. */
export const REGISTRY_TOOLS: Tool[] = ['docker-registry', 'openssl']

export interface TestCa {
  dir: string
  /** PEM of the CA certificate: give it to clients (NODE_EXTRA_CA_CERTS or tls.setDefaultCACertificates). */
  caFile: string
  ca: string
  /** A leaf certificate and key signed by the CA, for 127.0.0.1 and localhost. */
  cert(name: string): { certFile: string; keyFile: string }
  /** Deletes the CA's folder (its keys with it). */
  remove(): Promise<void>
}

export type RegistryAuth =
  | { kind: 'none' }
  | { kind: 'basic'; users: Record<string, string> }
  | { kind: 'token'; users: Record<string, string> }

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string
  url: string
  storage: string
  /** The token server's URL (token auth only). */
  tokenUrl?: string
  /** Token requests seen by the token server: `scope` parameters, in order. */
  tokenScopes: string[][]
  stop(): Promise<void>
  /** Starts the registry again on the same port and storage (after `kill`). */
  restart(): Promise<void>
  kill(): void
  close(): Promise<void>
}

export async function createTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'lb-ca-'))
  const caKey = join(dir, 'ca.key')
  const caFile = join(dir, 'ca.crt')
  openssl([
    'req',
    '-x509',
    ...NEW_P256_KEY,
    '-keyout',
    caKey,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=license-backup test CA'
  ])
  const cert = (name: string): { certFile: string; keyFile: string } => {
    const keyFile = join(dir, `${name}.key`)
    const certFile = join(dir, `${name}.crt`)
    const csr = join(dir, `${name}.csr`)
    const ext = join(dir, `${name}.ext`)
    writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
    openssl(['req', ...NEW_P256_KEY, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`])
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caFile,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-out',
      certFile,
      '-days',
      '2',
      '-extfile',
      ext
    ])
    return { certFile, keyFile }
  }
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true })
  return { dir, caFile, ca: await readFile(caFile, 'utf8'), cert, remove }
}

/** Makes this process's fetch trust the CA (NODE_EXTRA_CA_CERTS is read only when a process starts). */
export function trustCa(ca: TestCa): void {
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ca.ca])
}

const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

function openssl(args: string[]): void {
  runTool('openssl', args)
}

export async function startRegistry(ca: TestCa, auth: RegistryAuth): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'lb-registry-'))
  const storage = join(dir, 'storage')
  const { certFile, keyFile } = ca.cert('registry')
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  const tokenScopes: string[][] = []
  let tokenServer: Server | undefined
  let authYaml = ''
  if (auth.kind === 'basic') {
    const htpasswd = join(dir, 'htpasswd')
    await writeFile(
      htpasswd,
      Object.entries(auth.users)
        .map(([u, p]) => htpasswdLine(u, p))
        .join('')
    )
    authYaml = `auth:\n  htpasswd:\n    realm: license-backup-test\n    path: ${htpasswd}\n`
  }
  let tokenUrl: string | undefined
  if (auth.kind === 'token') {
    const signer = ca.cert('token-signer')
    tokenServer = await startTokenServer(signer, auth.users, tokenScopes)
    tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`
    authYaml =
      `auth:\n  token:\n    realm: ${tokenUrl}\n    service: ${TOKEN_SERVICE}\n` +
      `    issuer: ${TOKEN_ISSUER}\n    rootcertbundle: ${ca.caFile}\n`
  }
  const config = join(dir, 'config.yml')
  await writeFile(
    config,
    `version: 0.1
log:
  level: error
  accesslog: { disabled: true }
storage:
  filesystem: { rootdirectory: ${storage} }
  delete: { enabled: true }
  maintenance: { uploadpurging: { enabled: false } }
http:
  addr: ${host}
  secret: ${randomUUID()}
  tls: { certificate: ${certFile}, key: ${keyFile} }
${authYaml}`
  )
  let child: ChildProcess | undefined
  const start = async (): Promise<void> => {
    child = spawn(requireTool('docker-registry'), ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] })
    let log = ''
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()))
    await waitUntilUp(`https://${host}/v2/`, child, () => log)
  }
  await start()
  const kill = (): void => {
    child?.kill('SIGKILL')
  }
  const stop = async (): Promise<void> => {
    const running = child
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise(done => running.once('exit', done))
    running.kill('SIGTERM')
    await exited
  }
  return {
    host,
    url: `https://${host}`,
    storage,
    ...(tokenUrl ? { tokenUrl } : {}),
    tokenScopes,
    stop,
    kill,
    restart: async () => {
      await stop()
      await start()
    },
    close: async () => {
      await stop()
      if (tokenServer) await new Promise(done => tokenServer?.close(done))
      await rm(dir, { recursive: true, force: true })
    }
  }
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log()}`)
    try {
      await fetch(url)
      return
    } catch {
      await new Promise(done => setTimeout(done, 50))
    }
  }
  throw new Error(`docker-registry did not answer at ${url}: ${log()}`)
}

const TOKEN_SERVICE = 'license-backup-test-registry'
const TOKEN_ISSUER = 'license-backup-test-token-server'

/**
 * The token server of the distribution spec's token auth: checks Basic credentials and answers a JWT
 * signed by a key whose certificate chains to the registry's `rootcertbundle` (header `x5c`), granting
 * every action asked for in each `scope`.
 */
async function startTokenServer(
  signer: { certFile: string; keyFile: string },
  users: Record<string, string>,
  scopes: string[][]
): Promise<Server> {
  const key = createPrivateKey(await readFile(signer.keyFile))
  const certDer = new X509Certificate(await readFile(signer.certFile)).raw.toString('base64')
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const [user, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':')
    if (!user || users[user] === undefined || users[user] !== password) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}')
      return
    }
    const asked = url.searchParams.getAll('scope')
    scopes.push(asked)
    const access = asked.map(scope => {
      const [type, ...rest] = scope.split(':')
      const actions = (rest.pop() ?? '').split(',')
      return { type, name: rest.join(':'), actions }
    })
    void new SignJWT({ access })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c: [certDer] })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_SERVICE)
      .setSubject(user)
      .setIssuedAt()
      .setNotBefore('-10s')
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(key)
      .then(token => {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token, expires_in: 300 }))
      })
  })
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  return server
}
