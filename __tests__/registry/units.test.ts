// The registry code's pure parts: references, challenges, timestamp tags, media types and restic-style
// retention (examples and properties).
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parseChallenges, tokenFromAnswer } from '../../src/action/registry/auth.js'
import { formatVersion, layerMediaType } from '../../src/action/registry/media-types.js'
import { parseReference, parseRepository } from '../../src/action/registry/reference.js'
import { isoWeek, selectRetention, type KeepPolicy } from '../../src/action/registry/retention.js'
import { parseTimestampTag, timestampTag } from '../../src/action/registry/timestamp.js'

describe('references', () => {
  it('reads repositories and references with a tag or a digest', () => {
    expect(parseRepository('ghcr.io/acme/license-backups')).toEqual({
      host: 'ghcr.io',
      scheme: 'https',
      name: 'acme/license-backups'
    })
    expect(parseReference('ghcr.io/acme/lb:nightly')).toMatchObject({
      host: 'ghcr.io',
      name: 'acme/lb',
      tag: 'nightly'
    })
    const digest = `sha256:${'a'.repeat(64)}`
    expect(parseReference(`127.0.0.1:5000/a/b@${digest}`)).toMatchObject({ host: '127.0.0.1:5000', digest })
    expect(parseReference('http://localhost:5000/a/b:1')).toMatchObject({
      scheme: 'http',
      host: 'localhost:5000'
    })
  })

  it.each([
    ['http://registry.example.com/acme/lb', 'plain HTTP to a registry that is not on this machine'],
    ['http://10.0.0.5:5000/acme/lb', 'plain HTTP'],
    ['ftp://ghcr.io/acme/lb', 'over https:// only'],
    ['acme', 'names no registry host'],
    ['ghcr.io/Acme/LB', 'is not a repository name'],
    ['ghcr.io/acme/../x', 'is not a repository name']
  ])('refuses the repository %s', (text, message) => {
    expect(() => parseRepository(text)).toThrow(message)
  })

  it.each([
    ['ghcr.io/acme/lb', 'names no tag or digest'],
    ['ghcr.io/acme/lb:-bad', 'is not a tag'],
    ['ghcr.io/acme/lb@sha256:abc', 'is not a manifest digest'],
    ['ghcr.io/acme/lb@md5:' + 'a'.repeat(32), 'is not a manifest digest']
  ])('refuses the reference %s', (text, message) => {
    expect(() => parseReference(text)).toThrow(message)
  })
})

describe('WWW-Authenticate', () => {
  it('reads Bearer parameters with commas inside quotes, and several challenges', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/lb:pull,push", Basic realm="x"'
      )
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:acme/lb:pull,push' }
      },
      { scheme: 'basic', params: { realm: 'x' } }
    ])
    expect(parseChallenges('Basic realm=plain, charset="UTF-8"')).toEqual([
      { scheme: 'basic', params: { realm: 'plain', charset: 'UTF-8' } }
    ])
  })

  it('takes token or access_token, nothing else', () => {
    expect(tokenFromAnswer('{"token":"abc"}')).toBe('abc')
    expect(tokenFromAnswer('{"access_token":"def"}')).toBe('def')
    expect(tokenFromAnswer('{"token":"bad\\nline"}')).toBeUndefined()
    expect(tokenFromAnswer('<html>')).toBeUndefined()
  })
})

describe('timestamp tags and media types', () => {
  it('round-trips UTC times at second precision, and refuses impossible dates', () => {
    expect(timestampTag(new Date('2026-02-03T04:05:06.789Z'))).toBe('20260203T040506Z')
    expect(parseTimestampTag('20260203T040506Z')?.toISOString()).toBe('2026-02-03T04:05:06.000Z')
    expect(parseTimestampTag('20260230T000000Z')).toBeUndefined()
    expect(parseTimestampTag('nightly')).toBeUndefined()
  })

  it('names each backup file of v1 and v2 folders', () => {
    expect(layerMediaType('manifest.json', 'v2')).toBe('application/vnd.license-backup.manifest.v2+json')
    expect(layerMediaType('manifest.json.sig', 'v2')).toBe('application/vnd.license-backup.signature.v1')
    expect(layerMediaType('licenses.tar.gz', 'v2')).toBe('application/vnd.license-backup.pack.v2.tar+gzip')
    expect(layerMediaType('licenses.tar.gz.age', 'v2')).toBe(
      'application/vnd.license-backup.pack.v2.tar+gzip+age'
    )
    expect(layerMediaType('licenses.tar', 'v1')).toBe('application/vnd.license-backup.pack.v1.tar')
    expect(layerMediaType('licenses.tar.age', 'v1')).toBe('application/vnd.license-backup.pack.v1.tar+age')
    expect(layerMediaType('notes.txt', 'v1')).toBe('application/octet-stream')
  })

  it("names the format's major version: license-backup/v2.1 is pushed with v2's media types (ADR 0225)", () => {
    expect(formatVersion('license-backup/v1')).toBe('v1')
    expect(formatVersion('license-backup/v2')).toBe('v2')
    expect(formatVersion('license-backup/v2.1')).toBe('v2')
    expect(formatVersion('license-backup/v2.x')).toBe('v1')
    expect(formatVersion(undefined)).toBe('v1')
  })
})

describe('retention (restic forget semantics)', () => {
  const backup = (iso: string) => ({ tag: timestampTag(new Date(iso)), time: new Date(iso) })

  it('daily keeps the newest of each of the last N days that have a backup', () => {
    const backups = [
      backup('2026-11-30T23:00:00Z'),
      backup('2026-11-30T01:00:00Z'),
      backup('2026-11-28T12:00:00Z'),
      backup('2026-11-20T12:00:00Z'),
      backup('2026-11-20T06:00:00Z')
    ]
    const decision = selectRetention(backups, { daily: 3 })
    expect(decision.keep.map(b => b.tag)).toEqual([
      '20261130T230000Z',
      '20261128T120000Z',
      '20261120T120000Z'
    ])
    expect(decision.remove.map(b => b.tag)).toEqual(['20261130T010000Z', '20261120T060000Z'])
  })

  it('weekly uses ISO weeks; monthly calendar months; rules add up', () => {
    expect(isoWeek(new Date('2027-01-01T00:00:00Z'))).toBe('2026-W53')
    expect(isoWeek(new Date('2026-12-28T00:00:00Z'))).toBe('2026-W53')
    expect(isoWeek(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01')
    const backups = [
      backup('2027-01-03T00:00:00Z'),
      backup('2026-12-29T00:00:00Z'),
      backup('2026-12-20T00:00:00Z'),
      backup('2026-11-15T00:00:00Z')
    ]
    const decision = selectRetention(backups, { last: 1, weekly: 2, monthly: 3 })
    expect(decision.keep.map(b => [b.tag, b.reasons])).toEqual([
      // 3 January 2027 is a Sunday: the same ISO week (2026-W53) as 29 December, but another month.
      ['20270103T000000Z', ['last', 'weekly', 'monthly']],
      ['20261229T000000Z', ['monthly']],
      ['20261220T000000Z', ['weekly']],
      ['20261115T000000Z', ['monthly']]
    ])
    expect(selectRetention(backups, { last: 1, weekly: 2 }).remove.map(b => b.tag)).toEqual([
      '20261229T000000Z',
      '20261115T000000Z'
    ])
  })

  const backupsArb = fc
    .uniqueArray(fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }), { maxLength: 60 })
    .map(seconds => seconds.map(s => backup(new Date(s * 1000).toISOString())))
  const policyArb = fc.record(
    {
      last: fc.integer({ min: 1, max: 10 }),
      daily: fc.integer({ min: 1, max: 10 }),
      weekly: fc.integer({ min: 1, max: 10 }),
      monthly: fc.integer({ min: 1, max: 10 })
    },
    { requiredKeys: [] }
  )

  it('every backup is kept or removed once; the newest is kept by any rule; at most the sum of N is kept', () => {
    fc.assert(
      fc.property(backupsArb, policyArb, (backups, policy: KeepPolicy) => {
        const { keep, remove } = selectRetention(backups, policy)
        expect(keep.length + remove.length).toBe(backups.length)
        expect(new Set([...keep, ...remove].map(b => b.tag)).size).toBe(backups.length)
        const total = (policy.last ?? 0) + (policy.daily ?? 0) + (policy.weekly ?? 0) + (policy.monthly ?? 0)
        expect(keep.length).toBeLessThanOrEqual(total)
        const newest = [...backups].sort((a, b) => b.time.getTime() - a.time.getTime())[0]
        if (newest && total > 0) expect(keep[0]?.tag).toBe(newest.tag)
        // daily N alone keeps exactly min(N, number of distinct days).
        const days = new Set(backups.map(b => b.time.toISOString().slice(0, 10))).size
        expect(selectRetention(backups, { daily: policy.daily ?? 1 }).keep).toHaveLength(
          Math.min(policy.daily ?? 1, days)
        )
      })
    )
  })
})
