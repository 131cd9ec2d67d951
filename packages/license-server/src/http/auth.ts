import type { IncomingMessage } from 'node:http'

/**
 * The bearer token of a request, however the scheme is spelled (RFC 9110: case-insensitive, any run of
 * spaces or tabs), so a token is one caller for the rate limit whatever its header looks like.
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^[ \t]*bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(req.headers.authorization ?? '')
  return match?.[1]
}
