/** Protocol v1 wire types (docs/openapi.yaml) and the checks that an answer has their shape. */

export interface MachineRef {
  /** RFC 7638 thumbprint of `jwk`. */
  id: string
  /** Ed25519 public JWK. */
  jwk: { kty: string; crv: string; x?: string }
}

export interface WireSession {
  id: string
  expires_at: string
}

export interface WireResult {
  jti: string
  status: 'restored' | 'refused'
  license?: string
  reason?: string
  url?: string
}

/** Why a shape is wrong, or undefined when it is right. */
export function sessionShapeError(body: unknown): string | undefined {
  if (!isObject(body)) return 'the body is not a JSON object'
  if (typeof body['id'] !== 'string' || !/^[A-Za-z0-9._~-]{1,200}$/.test(body['id'])) {
    return 'id is missing or not a session ID'
  }
  if (typeof body['expires_at'] !== 'string') return 'expires_at is missing'
  return undefined
}

export interface WirePreview {
  jti: string
  status: 'would-restore' | 'held' | 'refused'
  reason?: string
  url?: string
}

export interface WireRelease {
  jti: string
  status: 'released' | 'not-held'
}

export const RESTORE_STATUSES = ['restored', 'refused'] as const
export const PREVIEW_STATUSES = ['would-restore', 'held', 'refused'] as const
export const RELEASE_STATUSES = ['released', 'not-held'] as const

/** Why a `{results: [...]}` answer is the wrong shape; `statuses` are the ones its call may answer. */
export function resultsShapeError(
  body: unknown,
  statuses: readonly string[] = RESTORE_STATUSES
): string | undefined {
  if (!isObject(body) || !Array.isArray(body['results'])) return 'the body is not {"results": [...]}'
  for (const [i, result] of (body['results'] as unknown[]).entries()) {
    if (!isObject(result)) return `results[${i}] is not an object`
    if (typeof result['jti'] !== 'string') return `results[${i}].jti is missing`
    if (!statuses.includes(result['status'] as string)) {
      return `results[${i}].status is not one of ${statuses.map(x => `"${x}"`).join(', ')}`
    }
    for (const key of ['license', 'reason', 'url']) {
      if (result[key] !== undefined && typeof result[key] !== 'string')
        return `results[${i}].${key} is not a string`
    }
  }
  return undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
