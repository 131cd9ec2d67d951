import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import { signingKey, type SigningKey } from './sign.js'

/** One key of the ring. Times are ms since the epoch. */
export interface RingKey {
  kid: string
  privateKey: KeyObject
  createdAt: number
  /** When it stopped signing (a rotation); absent for the current key. */
  retiredAt?: number
  /** When copies it signed stop verifying: the end of its grace period. */
  expiresAt?: number
}

export type KeyState = 'current' | 'previous' | 'expired'

/**
 * The service's signing keys (ADR 0168): exactly one current key signs; keys retired by a rotation are
 * published and trusted until their grace period ends, so copies signed before the rotation still verify;
 * after it, they no longer do.
 */
export class KeyRing {
  readonly keys: readonly RingKey[]
  private readonly signers = new Map<string, SigningKey>()

  constructor(keys: readonly RingKey[]) {
    const current = keys.filter(k => k.retiredAt === undefined)
    if (current.length !== 1) {
      throw new Error(`A key ring has exactly one current key (not retired); this one has ${current.length}.`)
    }
    const kids = new Set(keys.map(k => k.kid))
    if (kids.size !== keys.length) throw new Error('Two keys of the ring have the same kid.')
    this.keys = keys
  }

  /** The key that signs. */
  current(): SigningKey {
    return this.signer(this.keys.find(k => k.retiredAt === undefined) as RingKey)
  }

  stateOf(key: RingKey, now: number): KeyState {
    if (key.retiredAt === undefined) return 'current'
    return key.expiresAt !== undefined && key.expiresAt <= now ? 'expired' : 'previous'
  }

  /** The public keys copies verify with at `now`: the current one and those still in their grace period. */
  published(now: number): JWK[] {
    return this.keys.filter(k => this.stateOf(k, now) !== 'expired').map(k => this.publicJwkOf(k))
  }

  publicJwkOf(key: RingKey): JWK {
    return this.signer(key).publicJwk
  }

  /** A ring whose current key is `key`, the current one retired at `now` and trusted until `now + graceMs`. */
  rotatedTo(key: { kid: string; privateKey: KeyObject }, now: number, graceMs: number): KeyRing {
    if (this.keys.some(k => k.kid === key.kid)) throw new Error(`The ring already has a key ${key.kid}.`)
    return new KeyRing([
      ...this.keys.map(k =>
        k.retiredAt === undefined ? { ...k, retiredAt: now, expiresAt: now + graceMs } : k
      ),
      { ...key, createdAt: now }
    ])
  }

  private signer(key: RingKey): SigningKey {
    let made = this.signers.get(key.kid)
    if (!made) this.signers.set(key.kid, (made = signingKey(key.kid, key.privateKey)))
    return made
  }
}

/** A ring of one new key. */
export function newKeyRing(now: number, kid = newKid(now)): KeyRing {
  return new KeyRing([{ kid, privateKey: newPrivateKey(), createdAt: now }])
}

export function newPrivateKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey
}

/** `lbs-<date>-<random>`: sortable by creation, unique without coordination. */
export function newKid(now: number): string {
  return `lbs-${new Date(now).toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`
}
