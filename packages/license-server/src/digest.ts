import { createHash } from 'node:crypto'

/** SHA-256, base64url: how the service keeps tokens, Idempotency-Keys and request bodies it must recognise. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url')
}
