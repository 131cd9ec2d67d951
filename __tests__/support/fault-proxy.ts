// A loopback HTTP proxy in front of the reference license service that answers scripted requests with a
// fault (issue 4, issue 7): a status of its choosing, a reset socket, a stall, a body dripped slowly, a wrong
// content type, or the real answer with its JSON mutated. Anything the plan does not name is forwarded.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type Fault =
  /** Answer with this status, headers and body (the server is not asked). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Reset the connection before anything reaches the server. */
  | { kind: 'reset' }
  /** Forward, let the server act on it, then reset the connection: the answer is lost. */
  | { kind: 'reset-after-forward' }
  /** Wait `ms` before forwarding (a client with a shorter per-attempt timeout gives up first). */
  | { kind: 'stall'; ms: number }
  /** Forward, then send the answer `chunkBytes` at a time every `intervalMs`. */
  | { kind: 'slow-body'; chunkBytes: number; intervalMs: number }
  /** Forward, but answer with this content type. */
  | { kind: 'content-type'; contentType: string }
  /** Forward, and replace the JSON body with what `mutate` returns (it may change the parsed body in place). */
  | { kind: 'mutate'; mutate: (body: unknown) => unknown }
  /** Run `act` (another client's calls, say), then forward: a race made to happen at this request. */
  | { kind: 'before'; act: () => Promise<void> }

export interface Rule {
  method?: string
  /** Exact path, or a pattern tested against the path. */
  path?: string | RegExp
  /** Matching requests let through before this rule applies. Default 0. */
  skip?: number
  /** How many matching requests get the fault. Default 1; `Infinity` for all. */
  times?: number
  fault: Fault
}

export interface ProxiedRequest {
  method: string
  path: string
  /** The fault applied, or `forward`. */
  fault: string
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string
  /** Every request seen, in order. */
  requests: ProxiedRequest[]
  /** Replaces the plan; rules are tried in order, the first that applies wins. */
  plan(rules: Rule[]): void
  /** Rules whose faults were not all used (to prove a plan really ran). */
  unused(): Rule[]
  close(): Promise<void>
}

/** Restore calls by path, for plans. */
export const PATHS = {
  sessions: '/v1/sessions',
  restore: /^\/v1\/sessions\/[^/]+\/restore$/,
  preview: /^\/v1\/sessions\/[^/]+\/preview$/,
  release: /^\/v1\/sessions\/[^/]+\/release$/,
  session: /^\/v1\/sessions\/[^/]+$/,
  jwks: '/.well-known/jwks.json'
} as const

interface Upstream {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/** A proxy to `target` on 127.0.0.1, on `port` (0: a free one). */
export async function startFaultProxy(target: string, port = 0): Promise<FaultProxy> {
  let rules: Array<Rule & { left: number; skipLeft: number }> = []
  const requests: ProxiedRequest[] = []
  const timers = new Set<NodeJS.Timeout>()
  const sockets = new Set<Socket>()
  const wait = (ms: number): Promise<void> =>
    new Promise(resolve => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })

  function pick(method: string, path: string): Fault | undefined {
    for (const rule of rules) {
      if (rule.left <= 0) continue
      if (rule.method && rule.method !== method) continue
      if (typeof rule.path === 'string' && rule.path !== path) continue
      if (rule.path instanceof RegExp && !rule.path.test(path)) continue
      if (rule.skipLeft > 0) {
        rule.skipLeft--
        continue
      }
      rule.left--
      return rule.fault
    }
    return undefined
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    const path = new URL(req.url ?? '/', 'http://proxy').pathname
    const body = await readBody(req)
    const fault = pick(method, path)
    requests.push({ method, path, fault: fault?.kind ?? 'forward' })
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, fault.headers ?? {}).end(fault.body ?? '')
      return
    }
    if (fault?.kind === 'reset') {
      req.socket.resetAndDestroy()
      return
    }
    if (fault?.kind === 'before') await fault.act()
    if (fault?.kind === 'stall') {
      await wait(fault.ms)
      if (res.destroyed || req.socket.destroyed) return
    }
    const upstream = await forward(target, req, body)
    if (fault?.kind === 'reset-after-forward') {
      req.socket.resetAndDestroy()
      return
    }
    if (fault?.kind === 'content-type') upstream.headers['content-type'] = fault.contentType
    if (fault?.kind === 'mutate') {
      const parsed = JSON.parse(upstream.body.toString('utf8')) as unknown
      const changed = fault.mutate(parsed)
      upstream.body = Buffer.from(JSON.stringify(changed === undefined ? parsed : changed))
    }
    const headers = { ...upstream.headers, 'content-length': String(upstream.body.length) }
    if (fault?.kind !== 'slow-body') {
      res.writeHead(upstream.status, headers).end(upstream.body)
      return
    }
    res.writeHead(upstream.status, headers)
    for (let at = 0; at < upstream.body.length; at += fault.chunkBytes) {
      if (res.destroyed) return
      res.write(upstream.body.subarray(at, at + fault.chunkBytes))
      await wait(fault.intervalMs)
    }
    res.end()
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end()
      else res.destroy()
    })
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    plan: next => {
      rules = next.map(rule => ({ ...rule, left: rule.times ?? 1, skipLeft: rule.skip ?? 0 }))
    },
    unused: () => rules.filter(rule => rule.left > 0 && Number.isFinite(rule.left)),
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      for (const socket of sockets) socket.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function forward(target: string, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  const headers = { ...req.headers, host: new URL(target).host, 'content-length': String(body.length) }
  delete headers['transfer-encoding']
  delete headers['connection']
  return new Promise((resolve, reject) => {
    const out = request(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers }, answer => {
      const chunks: Buffer[] = []
      answer.on('data', (chunk: Buffer) => chunks.push(chunk))
      answer.once('error', reject)
      answer.once('end', () => {
        const copied: Record<string, string> = {}
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value === undefined || ['content-length', 'transfer-encoding', 'connection'].includes(name))
            continue
          copied[name] = Array.isArray(value) ? value.join(', ') : value
        }
        resolve({ status: answer.statusCode ?? 502, headers: copied, body: Buffer.concat(chunks) })
      })
    })
    out.once('error', reject)
    out.end(body)
  })
}
