import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import {
  INDEX_TAIL,
  IndexParser,
  LicensesDigest,
  indexEntryText,
  parseIndex,
  restrictedIndexLine,
  summaryIndexHead,
  type PackIndex
} from '../../src/engine/format/pack-index.js'

// Issue 27: a v2.1 index summarises its licenses (a count and one SHA-256 over their entries, ADR 0225).
// It is read by the same streaming parser as v2's list, is refused in any other shape, and its digest is
// exactly the one a reader computes from the members.
const entry = (n: number): PackIndex['licenses'][number] => ({
  jti: `lic-${n}`,
  key_id: 'k1',
  path: `a/lic-${n}.jwt`,
  sha256: String(n % 10).repeat(64),
  size: 400 + n
})

describe('the v2.1 index (licenses summarised)', () => {
  it('as written (summary, restricted lines, tail) parses back whole or streamed in pieces cut anywhere', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 20 })
    const restricted = fc.record({ jti: text, key_id: text, title: fc.option(text, { nil: undefined }) })
    await fc.assert(
      fc.property(
        fc.nat({ max: 1000 }),
        fc.array(restricted, { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (count, r, cuts) => {
          const digest = new LicensesDigest()
          for (let n = 0; n < count % 7; n++) digest.add(entry(n))
          const summary = digest.summary()
          const list = r.map(e => (e.title === undefined ? { jti: e.jti, key_id: e.key_id } : e))
          const tail = list.map((e, i) => restrictedIndexLine(e, i === 0)).join('')
          const bytes = Buffer.from(summaryIndexHead(summary) + tail + INDEX_TAIL)
          expect(parseIndex(bytes, 'index.json')).toEqual({ licenses: [], summary, restricted: list })
          const at = [...new Set(cuts.map(c => c % (bytes.length + 1)))].sort((a, b) => a - b)
          const parser = new IndexParser('index.json')
          const items = [0, ...at].flatMap((from, i) =>
            parser.push(bytes.subarray(from, at[i] ?? bytes.length))
          )
          parser.end()
          expect(items).toEqual([
            { list: 'summary', entry: summary },
            ...list.map(e => ({ list: 'restricted', entry: e }))
          ])
        }
      ),
      { numRuns: 200 }
    )
  })

  it('its digest is the SHA-256 of the entries, in order, as a reader derives them from the members', () => {
    const digest = new LicensesDigest()
    const entries = [entry(1), entry(2), entry(3)]
    for (const e of entries) digest.add(e)
    const lines = entries.map(e => `${JSON.stringify([e.jti, e.key_id, e.path, e.sha256, e.size])}\n`)
    expect(entries.map(indexEntryText)).toEqual(lines)
    expect(digest.summary()).toEqual({
      count: 3,
      sha256: createHash('sha256').update(lines.join('')).digest('hex')
    })
  })

  it.each([
    [
      'a key the summary does not have',
      '{"licenses":{"count":1,"sha256":"HASH","extra":1},"restricted":[]}',
      /licenses must be an object of exactly count and sha256/
    ],
    [
      'a digest that is not one',
      '{"licenses":{"count":1,"sha256":"abc"},"restricted":[]}',
      /licenses\.sha256 must be a SHA-256 digest/
    ],
    [
      'a count that is not one',
      '{"licenses":{"count":-1,"sha256":"HASH"},"restricted":[]}',
      /licenses\.count must be a whole number/
    ],
    [
      'no digest',
      '{"licenses":{"count":1},"restricted":[]}',
      /licenses must be an object of exactly count and sha256/
    ],
    [
      'the restricted list as a summary',
      '{"licenses":{"count":1,"sha256":"HASH"},"restricted":{"count":0}}',
      /where \[ belongs/
    ],
    [
      'two summaries',
      '{"licenses":{"count":1,"sha256":"HASH"},"licenses":{"count":1,"sha256":"HASH"},"restricted":[]}',
      /key "licenses"/
    ],
    [
      'a summary and a list',
      '{"licenses":{"count":1,"sha256":"HASH"},"licenses":[],"restricted":[]}',
      /key "licenses"/
    ],
    ['a summary cut short', '{"licenses":{"count":1,"sha256":"HASH"', /cut short/]
  ])('refuses %s: BACKUP_CORRUPT naming the index', (_, text, problem) => {
    const bytes = Buffer.from(text.replaceAll('HASH', 'a'.repeat(64)))
    expect(() => parseIndex(bytes, 'pack:.license-backup/index.json')).toThrow(
      expect.objectContaining({
        code: 'BACKUP_CORRUPT',
        message: expect.stringMatching(/^pack:\.license-backup\/index\.json is not a valid pack index: /)
      })
    )
    expect(() => parseIndex(bytes, 'pack:.license-backup/index.json')).toThrow(problem)
  })
})
