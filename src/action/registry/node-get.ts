import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'

/** A `fetch` answer whose body is also readable as the Node stream it came from (ADR 0239). */
export interface NodeAnswer {
  response: Response
  /** The body as Node's own stream: read this or `response.body`, never both. */
  message: IncomingMessage
}

/**
 * A blob's GET through node:http(s) instead of `fetch` (ADR 0239): the answer is a `Response` like
 * fetch's (status, headers, a body that is read only when asked for and cancelled by destroying the
 * socket's stream), and its body is also given as the IncomingMessage, which a download reads without a
 * web stream's promise per 16 KiB TLS record. Redirects are not followed (the client follows them), no
 * content coding is asked for, and a failure to connect rejects as fetch's does (`cause` the error).
 */
export function nodeGet(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<NodeAnswer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: 'GET', headers, signal }, message => {
      // A status a Response cannot carry (Node's parser takes 100-999) fails the request as fetch's would,
      // rather than throwing out of the socket's event.
      const status = message.statusCode ?? 0
      if (status < 200 || status > 599) {
        message.destroy()
        reject(new TypeError('fetch failed', { cause: new Error(`an answer with status ${status}`) }))
        return
      }
      resolve({ response: responseOf(message), message })
    })
    sent.on('error', error => reject(new TypeError('fetch failed', { cause: error })))
    sent.end()
  })
}

function responseOf(message: IncomingMessage): Response {
  const headers = new Headers()
  const raw = message.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] ?? '', raw[i + 1] ?? '')
  const status = message.statusCode ?? 0
  const empty = status === 204 || status === 304
  if (empty) message.resume()
  return new Response(empty ? null : lazyBody(message), {
    status,
    statusText: message.statusMessage ?? '',
    headers
  })
}

/** A web stream over the message that reads nothing until it is read (highWaterMark 0). */
function lazyBody(message: IncomingMessage): ReadableStream<Uint8Array> {
  let chunks: AsyncIterator<unknown> | undefined
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        chunks ??= message[Symbol.asyncIterator]()
        const { done, value } = (await chunks.next()) as IteratorResult<Buffer>
        if (done) controller.close()
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
      },
      cancel() {
        message.destroy()
      }
    },
    { highWaterMark: 0 }
  )
}
