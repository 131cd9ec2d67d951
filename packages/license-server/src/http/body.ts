import type { IncomingMessage } from 'node:http'
import { problem, ProblemError } from './problem.js'

export interface BodyLimits {
  /** Largest body, bytes: a larger `Content-Length` is refused before reading, a longer stream when met. */
  maxBytes: number
  /** Deepest nesting of arrays and objects; deeper bodies are refused before they are parsed. */
  maxDepth: number
}

/**
 * Reads a JSON body within the limits (ADR 0091). Reading stops at the first byte past the cap; the caller
 * answers with `Connection: close`, so the rest is never read.
 */
export async function readJson(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new ProblemError(
      problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json.')
    )
  }
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (declared > limits.maxBytes) throw tooLarge(limits.maxBytes)
  const text = await readCapped(req, limits.maxBytes)
  if (nestingDepth(text) > limits.maxDepth) {
    throw badBody(`The body nests arrays and objects deeper than ${limits.maxDepth} levels.`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw badBody('The body is not JSON.')
  }
}

function readCapped(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > maxBytes) {
        req.off('data', onData)
        req.pause()
        reject(tooLarge(maxBytes))
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.once('error', reject)
  })
}

/**
 * The deepest nesting of `[` and `{` outside strings: one pass, no allocation, so a body of nothing but
 * brackets is refused in milliseconds instead of blocking the parser.
 */
export function nestingDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      depth++
      if (depth > deepest) deepest = depth
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return deepest
}

function tooLarge(maxBytes: number): ProblemError {
  return new ProblemError(
    problem(413, 'body-too-large', 'Body too large', `A request body holds at most ${maxBytes} bytes.`)
  )
}

function badBody(detail: string): ProblemError {
  return new ProblemError(problem(400, 'bad-request', 'Bad request', detail))
}
