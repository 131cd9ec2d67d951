// A session remembers the digests its preview verified (ADR 0221), so its re-issue of the same texts skips
// their signature check: bounded per session and in all, freed on close, on expiry and as the re-issue uses
// them, and never a pass for other bytes.
import { describe, expect, it } from '@jest/globals'
import { createIssuer } from '../../../src/fixtures/issuer.js'
import { licenseChecker } from '../src/reissue.js'
import { SessionDigests } from '../src/session-digests.js'

const claims = { key_id: '6f1c0000aaaabbbbccccddddeeeeffff', rights: { backup: true } }

describe('what a session’s preview verified', () => {
  it('lets the same session’s re-issue take a text without checking it again, once', async () => {
    const issuer = createIssuer({ kid: 'session' })
    const stranger = createIssuer({ kid: 'other' })
    const sessions = new SessionDigests(() => 0)
    const jws = issuer.sign({ ...claims, jti: 'lic-1' })
    const preview = sessions.previewing()
    expect((await licenseChecker(issuer.jwks())(jws, preview)).ok).toBe(true)
    preview.keep('s1', 60_000)
    // A checker that trusts another key (and has no memory of its own) cannot verify the text: only the
    // session's memory can pass it, which shows the check was skipped.
    const blind = licenseChecker(stranger.jwks())
    expect(await blind(jws, sessions.reissuing('s2'))).toMatchObject({ ok: false })
    expect(await blind(jws, sessions.reissuing('s1'))).toMatchObject({ ok: true, claims: { jti: 'lic-1' } })
    // Used once: a replay of the batch is checked again.
    expect(await blind(jws, sessions.reissuing('s1'))).toMatchObject({ ok: false })
    expect(sessions.size).toBe(0)
  })

  it('never passes other bytes: a changed signature or payload is checked and refused', async () => {
    const issuer = createIssuer({ kid: 'session' })
    const sessions = new SessionDigests(() => 0)
    const check = licenseChecker(issuer.jwks())
    const jws = issuer.sign({ ...claims, jti: 'lic-1' })
    const preview = sessions.previewing()
    await check(jws, preview)
    preview.keep('s1', 60_000)
    const [header, , signature] = jws.split('.')
    const payload = Buffer.from(JSON.stringify({ ...claims, jti: 'lic-2' })).toString('base64url')
    const flipped = `${jws.slice(0, -2)}${jws.at(-2) === 'A' ? 'B' : 'A'}${jws.slice(-1)}`
    for (const forged of [`${header}.${payload}.${signature}`, flipped])
      expect(await check(forged, sessions.reissuing('s1'))).toMatchObject({ ok: false })
  })

  it('does not keep a preview the store did not confirm, nor a text that failed its check', async () => {
    const issuer = createIssuer({ kid: 'session' })
    const sessions = new SessionDigests(() => 0)
    const check = licenseChecker(issuer.jwks())
    await check(issuer.sign({ ...claims, jti: 'lic-1' }), sessions.previewing())
    expect(sessions.size).toBe(0)
    const preview = sessions.previewing()
    await check(createIssuer({ kid: 'session' }).sign({ ...claims, jti: 'lic-2' }), preview)
    preview.keep('s1', 60_000)
    expect(sessions.size).toBe(0)
  })

  it('frees a session’s digests when it closes or expires, and holds at most its bounds', async () => {
    let now = 0
    const sessions = new SessionDigests(() => now, 3, 5)
    const keep = (id: string, digests: string[], until: number): void => {
      const memo = sessions.previewing()
      for (const digest of digests) memo.verified(digest)
      memo.keep(id, until)
    }
    keep('a', ['1', '2', '3', '4'], 1_000)
    expect(sessions.size).toBe(3)
    keep('b', ['5', '6', '7'], 5_000)
    expect(sessions.size).toBe(5)
    sessions.forget('a')
    expect(sessions.size).toBe(2)
    keep('c', ['8'], 9_000)
    expect(sessions.size).toBe(3)
    // b's session has expired by the next preview of any session: it is dropped then.
    now = 6_000
    keep('c', ['9'], 9_000)
    expect(sessions.size).toBe(2)
    expect(sessions.reissuing('b').known('5')).toBe(false)
    expect(sessions.reissuing('c').known('9')).toBe(true)
  })
})
