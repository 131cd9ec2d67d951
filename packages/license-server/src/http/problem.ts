import type { ServerResponse } from 'node:http'

/** An RFC 9457 problem. `type` is a path under the server (`/problems/<slug>`), made absolute when sent. */
export interface Problem {
  slug: string
  title: string
  status: number
  detail: string
  /** Seconds, sent as `Retry-After` (429, 503). */
  retryAfter?: number
  headers?: Record<string, string>
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

export function problem(status: number, slug: string, title: string, detail: string): Problem {
  return { status, slug, title, detail }
}

export function sendProblem(res: ServerResponse, baseUrl: string, p: Problem): void {
  const body = JSON.stringify({
    type: `${baseUrl}/problems/${p.slug}`,
    title: p.title,
    status: p.status,
    detail: p.detail
  })
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE, ...p.headers }
  if (p.retryAfter !== undefined) headers['retry-after'] = String(p.retryAfter)
  res.writeHead(p.status, headers).end(body)
}

export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body)
}

/** Thrown inside a handler to answer with a problem. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail)
  }
}
