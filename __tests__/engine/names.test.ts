import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  isStateDirName,
  lastSegmentProblem,
  nameKey,
  pathProblem,
  STATE_DIR
} from '../../src/engine/store/names.js'

// Issue 10 item 3, docs/names.md: one name rule for the store walk, the backup and the restore. Examples first,
// then properties over arbitrary strings (fast-check).

describe('the name rule, by example', () => {
  it.each([
    ['NFC and NFD', 'caf\u00e9.jwt', 'cafe\u0301.jwt'],
    ['long s', '\u017f', 's'],
    ['dotless i', '\u0131', 'i'],
    ['dotted capital I', '\u0130', 'i\u0307'],
    ['sharp s', 'stra\u00dfe', 'STRASSE'],
    ['capital sharp s', '\u1e9e', 'ss'],
    ['Kelvin sign', '\u212a', 'k'],
    ['final sigma', '\u03c2', '\u03a3'],
    ['Cherokee small letter', '\uab70', '\u13a0'],
    ['a zero-width non-joiner', 'a\u200cb', 'ab'],
    ['a soft hyphen', 'li\u00adcense', 'license'],
    ['a variation selector', 'a\ufe0f', 'A']
  ])('%s: %j and %j have the same key', (_what, a, b) => {
    expect(nameKey(a)).toBe(nameKey(b))
  })

  it.each([
    ['a.jwt', 'b.jwt'],
    ['i', 'j'],
    ['a b', 'ab'],
    ['Ä', 'A']
  ])('%j and %j are different names', (a, b) => {
    expect(nameKey(a)).not.toBe(nameKey(b))
  })

  it.each([
    ['.license-backup/machine.json', /own \.license-backup folder/],
    ['.LICENSE-BACKUP/machine.json', /own \.license-backup folder/],
    ['.license-backup./machine.json', /own \.license-backup folder/],
    ['.license-backup  ./lock', /own \.license-backup folder/],
    ['.license\u200c-backup/machine.json', /own \.license-backup folder/],
    ['.licen\u017fe-backup/machine.json', /own \.license-backup folder/],
    ['.l\u0131cense-backup/machine.json', /own \.license-backup folder/],
    ['LICENS~1/machine.json', /8\.3 short name/],
    ['lic~12/machine.json', /8\.3 short name/],
    ['a/AB~1.JWT', /8\.3 short name/],
    ['CON', /reserves for a device/],
    ['con.jwt', /reserves for a device/],
    ['a/Nul.tar.gz', /reserves for a device/],
    ['COM1.jwt', /reserves for a device/],
    ['lpt\u00b9.jwt', /reserves for a device/],
    ['CON .jwt', /reserves for a device/],
    ['conout$.jwt', /reserves for a device/],
    ['a:b.jwt', /colon/],
    ['a.jwt::$DATA', /colon/],
    ['a.jwt.', /dot or a space/],
    ['a/b /c.jwt', /dot or a space/],
    ['a\u0000.jwt', /control character/],
    ['a\n.jwt', /control character/],
    ['a\u009b.jwt', /control character/],
    ['/etc/x', /absolute/],
    ['a\\b.jwt', /backslash/],
    ['../x.jwt', /escape the store/],
    ['a//b.jwt', /empty/],
    ['', /empty/],
    [`a/${'x'.repeat(252)}.jwt`, /longer than 255 bytes/],
    [`${'\u00e9'.repeat(126)}.jwt`, /longer than 255 bytes/]
  ])('%j is refused (%s)', (path, why) => {
    expect(pathProblem(path)).toMatch(why)
  })

  it.each([
    ['collection-00/a.jwt'],
    ['sub/.license-backup/x.jwt'],
    ['.license-backups/x.jwt'],
    ['contract.jwt'],
    ['console/a.jwt'],
    ['com10.jwt'],
    ['LICENSE~draft.jwt'],
    ['licenses~1-of-2.jwt'],
    ['caf\u00e9 cr\u00e8me.jwt'],
    ['.hidden.jwt'],
    [`${'x'.repeat(251)}.jwt`]
  ])('%j is a fine name', path => {
    expect(pathProblem(path)).toBeUndefined()
  })
})

/** Spellings of the state folder a file system may treat as it: case, look-alike letters, ignorables, trailing dots. */
const stateFolderSpelling = fc
  .tuple(
    fc.array(
      fc.record({
        variant: fc.nat(),
        ignorable: fc.option(
          fc.constantFrom('\u200b', '\u200c', '\u200d', '\u00ad', '\u2060', '\ufeff', '\ufe0f'),
          {
            nil: undefined
          }
        )
      }),
      { minLength: STATE_DIR.length, maxLength: STATE_DIR.length }
    ),
    fc.stringMatching(/^[. ]{0,3}$/)
  )
  .map(([choices, trailing]) => {
    const variants: Record<string, string[]> = {
      i: ['i', 'I', '\u0131'],
      s: ['s', 'S', '\u017f'],
      k: ['k', 'K', '\u212a']
    }
    const letters = [...STATE_DIR].map((char, index) => {
      const options = variants[char] ?? [char, char.toUpperCase()]
      const choice = choices[index]!
      return options[choice.variant % options.length]! + (choice.ignorable ?? '')
    })
    return letters.join('') + trailing
  })

describe('the name rule on hostile lengths', () => {
  it('judges a 1 MB run of dots and spaces in one pass (no backtracking)', () => {
    const run = '. '.repeat(500_000)
    expect(pathProblem(`${run}x/a.jwt`)).toMatch(/longer than 255 bytes/)
    expect(isStateDirName(`${STATE_DIR}${run}`)).toBe(true)
    expect(nameKey(`${run}x`)).toHaveLength(1_000_001)
  })
})

describe('the name rule, as properties', () => {
  it('the key of a key is itself (idempotent), for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 24 }), name => {
        const key = nameKey(name)
        expect(nameKey(key)).toBe(key)
      }),
      { numRuns: 3000 }
    )
  })

  it('case, Unicode form and default-ignorable code points never change the key', () => {
    const ignorable = fc.constantFrom('\u200b', '\u200c', '\u00ad', '\u034f', '\u2060', '\ufeff', '\u{e0001}')
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 16 }), ignorable, fc.nat(), (name, extra, at) => {
        const key = nameKey(name)
        expect(nameKey(name.toUpperCase())).toBe(key)
        expect(nameKey(name.toLowerCase())).toBe(key)
        expect(nameKey(name.normalize('NFD'))).toBe(key)
        expect(nameKey(name.normalize('NFC'))).toBe(key)
        const chars = [...name]
        const cut = at % (chars.length + 1)
        expect(nameKey([...chars.slice(0, cut), extra, ...chars.slice(cut)].join(''))).toBe(key)
      }),
      { numRuns: 3000 }
    )
  })

  it('every spelling of the state folder is refused at the root of a path', () => {
    fc.assert(
      fc.property(stateFolderSpelling, spelling => {
        expect(isStateDirName(spelling)).toBe(true)
        expect(pathProblem(`${spelling}/machine.json`)).toBeDefined()
      }),
      { numRuns: 2000 }
    )
  })

  it('any root name whose key is the state folder key is refused', () => {
    const stateKey = nameKey(STATE_DIR)
    fc.assert(
      fc.property(fc.oneof(stateFolderSpelling, fc.string({ unit: 'binary', maxLength: 20 })), name => {
        if (nameKey(name) !== stateKey) return
        expect(pathProblem(`${name}/lock`)).toBeDefined()
      }),
      { numRuns: 2000 }
    )
  })

  it('a path the rule accepts has no control character, colon, backslash, `..` or trailing dot or space', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), path => {
        if (pathProblem(path) !== undefined) return
        expect(path).not.toMatch(/[\p{Cc}:\\]/u)
        for (const segment of path.split('/')) {
          expect(['', '.', '..']).not.toContain(segment)
          expect(segment).not.toMatch(/[. ]$/)
        }
      }),
      { numRuns: 3000 }
    )
  })
})

// The store walk checks a folder once and then each of its files by its own name (issue 27): the phrase
// must be the one the whole path gets.
describe('a name checked by its last segment, in a folder that passes', () => {
  const names = [
    'a.jwt',
    'CON',
    'con.jwt',
    'AB~1.JWT',
    'a:b.jwt',
    'a.jwt.',
    'b ',
    'a\u0000.jwt',
    'a\u009b.jwt',
    'a\\b.jwt',
    '..',
    '.',
    '',
    '.license-backup',
    '.LICENSE-BACKUP.',
    '.license\u200c-backup',
    'caf\u00e9.jwt',
    'x'.repeat(256)
  ]
  it.each(names)('%j gives the phrase its whole path gives, at the root and in a folder', name => {
    expect(lastSegmentProblem(name, true)).toBe(pathProblem(name))
    expect(lastSegmentProblem(name, false)).toBe(pathProblem(`collection-00/sub/${name}`))
  })

  it('agrees with the whole path on arbitrary names', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), fc.boolean(), (name, atRoot) => {
        fc.pre(!name.includes('/'))
        const path = atRoot ? name : `a/${name}`
        expect(lastSegmentProblem(name, atRoot)).toBe(pathProblem(path))
      })
    )
  })
})
