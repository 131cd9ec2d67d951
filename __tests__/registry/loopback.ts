/** Small loopback HTTP servers of a test's own, for what the real registry cannot be made to do. */
import { afterEach } from '@jest/globals'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Seen {
  method: string
  url: string
  authorization: string | undefined
}

export type Handler = (req: IncomingMessage, res: ServerResponse, origin: string) => void

/** Starts servers on 127.0.0.1 (each its own origin) and closes them after each test. */
export function loopbackServers(): (handler: Handler) => Promise<{ origin: string; seen: Seen[] }> {
  const servers: Server[] = []
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(s => new Promise(done => (s.closeAllConnections(), s.close(done))))
    )
  })
  return async handler => {
    const seen: Seen[] = []
    let origin = ''
    const server = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization })
      handler(req, res, origin)
    })
    servers.push(server)
    await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return { origin, seen }
  }
}
