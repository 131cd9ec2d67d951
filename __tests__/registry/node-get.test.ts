// A hostile registry answer through the blob GET of node:http(s) (ADR 0239) fails the request, never the process.
import { describe, expect, it } from '@jest/globals'
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { nodeGet } from '../../src/action/registry/node-get.js'

/** A server that answers every request with the raw bytes given, as a hostile registry may. */
async function rawServer(answer: string): Promise<{ server: Server; url: URL }> {
  const sockets = new Set<Socket>()
  const server = createServer(socket => {
    sockets.add(socket)
    socket.once('data', () => socket.end(answer))
  })
  server.on('close', () => sockets.forEach(socket => socket.destroy()))
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return { server, url: new URL(`http://127.0.0.1:${port}/v2/x/blobs/sha256:00`) }
}

describe('nodeGet (a blob GET through node:http, ADR 0239)', () => {
  it.each([
    ['a status Response cannot carry', 'HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n', /status 999/],
    // Node waits for the final answer after a 1xx: the server's close is the failure.
    ['an informational status as the answer', 'HTTP/1.1 199 Odd\r\nContent-Length: 0\r\n\r\n', /hang up/]
  ])('rejects %s as a failed request, without throwing out of the socket', async (_, answer, cause) => {
    const { server, url } = await rawServer(answer)
    try {
      const failure = await nodeGet(url, {}, new AbortController().signal).then(
        () => undefined,
        (error: unknown) => error
      )
      expect(failure).toBeInstanceOf(TypeError)
      expect((failure as TypeError).message).toBe('fetch failed')
      expect(String((failure as TypeError).cause)).toMatch(cause)
    } finally {
      server.close()
    }
  })

  it('gives a 200 answer as a Response with its headers and body', async () => {
    const { server, url } = await rawServer(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Echo: yes\r\n\r\nhello'
    )
    try {
      const { response } = await nodeGet(url, {}, new AbortController().signal)
      expect(response.status).toBe(200)
      expect(response.headers.get('x-echo')).toBe('yes')
      expect(await response.text()).toBe('hello')
    } finally {
      server.close()
    }
  })
})
