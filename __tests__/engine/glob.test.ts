import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { loadSteps } from '../../src/action/steps/load.js'
import { compileGlob } from '../../src/engine/index.js'

// Issue 10 item 11: store patterns match in linear time, and glob syntax they do not support is refused.
describe('compileGlob', () => {
  it.each([
    ['**/*.jwt', 'a.jwt', true],
    ['**/*.jwt', 'a/b/c.jwt', true],
    ['**/*.jwt', 'a/b/c.jwtx', false],
    ['**/*.jwt', '.hidden/.a.jwt', true],
    ['*.jwt', 'a/b.jwt', false],
    ['lic/?.jwt', 'lic/1.jwt', true],
    ['lic/?.jwt', 'lic/12.jwt', false],
    ['lic/?.jwt', 'lic/é.jwt', true],
    ['lic/?.jwt', 'lic/😀.jwt', true],
    ['a/**', 'a/b/c', true],
    ['a/**/b/*.jwt', 'a/b/x.jwt', true],
    ['a/**/b/*.jwt', 'a/x/y/b/x.jwt', true],
    ['a/**/b/*.jwt', 'a/x/y/c/x.jwt', false],
    ['x.(1)+.jwt', 'x.(1)+.jwt', true],
    ['x.(1)+.jwt', 'xx(1).jwt', false]
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(compileGlob(pattern).test(path)).toBe(expected)
  })

  it('rejects a pattern that leaves the store', () => {
    for (const pattern of ['../*.jwt', '/etc/*.jwt', '', 'a//b.jwt', './a.jwt']) {
      expect(() => compileGlob(pattern)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    }
  })

  it.each([
    ['{a,b}.jwt', 'braces'],
    ['[ab].jwt', 'character classes'],
    ['!a.jwt', 'negation'],
    ['keep/!old/*.jwt', 'negation'],
    ['@(a|b).jwt', 'extended globs'],
    ['*(a).jwt', 'extended globs'],
    ['a\\*.jwt', 'backslashes'],
    ['a**.jwt', '`**` inside a name']
  ])('refuses %s as CONFIG_INVALID naming %s, never taking it literally', (pattern, what) => {
    expect(() => compileGlob(pattern)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(what)
      })
    )
  })

  // On the regex matcher this ran for minutes (backtracking over every split of the dashes); it must
  // simply finish. Speed itself is measured by benchmarks, not here.
  it('matches a many-star pattern against a long hostile name without backtracking', () => {
    const matcher = compileGlob('*-*-*-*-*-*-*-*-*.jwt')
    expect(matcher.test('-'.repeat(20_000) + 'x')).toBe(false)
    expect(matcher.test('-'.repeat(20_000) + '.jwt')).toBe(true)
    const deep = compileGlob('**/a/**/a/**/a/**/a/**/b.jwt')
    expect(deep.test(Array(5_000).fill('a').join('/') + '/c.jwt')).toBe(false)
  })

  it('agrees with a plain recursive reference matcher on arbitrary patterns and paths', () => {
    const name = fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', 'é'), maxLength: 6 })
    const patternName = fc.string({
      unit: fc.constantFrom('a', 'b', '-', '.', 'é', '*', '?'),
      minLength: 1,
      maxLength: 5
    })
    const pattern = fc
      .array(fc.oneof(patternName, fc.constant('**')), { minLength: 1, maxLength: 4 })
      .filter(segments => segments.every(s => s === '**' || (!s.includes('**') && s !== '.' && s !== '..')))
    const path = fc.array(
      name.filter(n => n !== ''),
      { minLength: 1, maxLength: 5 }
    )
    fc.assert(
      fc.property(pattern, path, (segments, names) => {
        const expected = referenceSegments(segments, names)
        expect(compileGlob(segments.join('/')).test(names.join('/'))).toBe(expected)
      }),
      { numRuns: 2000 }
    )
  })
})

function referenceSegments(segments: string[], names: string[]): boolean {
  if (segments.length === 0) return names.length === 0
  const [first, ...rest] = segments
  if (first === '**')
    return names.some((_, k) => referenceSegments(rest, names.slice(k))) || referenceSegments(rest, [])
  return (
    names.length > 0 && referenceName([...first!], [...names[0]!]) && referenceSegments(rest, names.slice(1))
  )
}

function referenceName(pattern: string[], name: string[]): boolean {
  if (pattern.length === 0) return name.length === 0
  const [first, ...rest] = pattern
  if (first === '*') return name.some((_, k) => referenceName(rest, name.slice(k))) || referenceName(rest, [])
  return name.length > 0 && (first === '?' || first === name[0]) && referenceName(rest, name.slice(1))
}

describe('a steps file with an unsupported pattern', () => {
  it('is refused at load time on the pattern’s line, top level or in a step', async () => {
    for (const [yaml, line] of [
      ['version: 1\nstore: ./s\npattern: "{a,b}.jwt"\nsteps:\n  - backup: { path: ./b }\n', 3],
      ['version: 1\nstore: ./s\nsteps:\n  - backup:\n      path: ./b\n      pattern: "[ab].jwt"\n', 6]
    ] as const) {
      await expect(loadSteps({ config: '', inline: yaml })).rejects.toMatchObject({
        message: expect.stringContaining('which store patterns do not support'),
        location: expect.objectContaining({ line })
      })
    }
  })
})
