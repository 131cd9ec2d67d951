import { describe, expect, it } from '@jest/globals'
import { generateIdentity } from 'age-encryption'
import { createIssuer } from '../src/fixtures/issuer.js'
import { findSecrets, registerSecret } from './support/secret-scan.js'

describe('the secret scan every test runs under', () => {
  it('recognises license bytes, age identities and registered tokens, and passes clean text', async () => {
    const license = createIssuer().sign({ jti: 'lic-1', key_id: 'k', rights: { backup: true } })
    const identity = await generateIdentity()
    registerSecret('tok-5f1e9a77c2')
    expect(findSecrets(`backing up ${license}`)).toEqual(['license bytes (a compact JWS)'])
    expect(findSecrets(`identity=${identity}`)).toEqual(['an age identity'])
    expect(findSecrets('Authorization: Bearer tok-5f1e9a77c2')).toEqual(['a registered secret (14 chars)'])
    expect(findSecrets('3 licenses cannot be backed up (key ID 6f1c0a…)')).toEqual([])
    // The mask command hands the secret to the runner, which never shows it.
    expect(findSecrets('::add-mask::tok-5f1e9a77c2\nmasked')).toEqual([])
  })
})
