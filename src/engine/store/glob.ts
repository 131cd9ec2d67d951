import { LicenseBackupError } from '../errors.js'
import { message } from '../message.js'

export const DEFAULT_PATTERN = '**/*.jwt'

/** A compiled store pattern: tests `/`-separated store-relative paths. */
export interface PathMatcher {
  readonly pattern: string
  test(path: string): boolean
}

/** `**` as a whole segment: any number of whole folders, including none. */
const GLOBSTAR = Symbol('globstar')

/** One segment of a pattern. */
type NamePattern =
  /** No wildcard: compared as a string. */
  | { kind: 'literal'; text: string }
  /** `*` only: the literal runs between the stars, matched left to right with indexOf. */
  | { kind: 'stars'; chunks: string[] }
  /** With `?`, which must match one code point: matched over code points. */
  | { kind: 'wild'; chars: string[] }

type Segment = NamePattern | typeof GLOBSTAR

/** Syntax other globs give a meaning to: refused, so it is never silently taken literally (ADR 0065). */
const UNSUPPORTED: Array<[RegExp, string]> = [
  [/[[\]]/, 'character classes `[...]`'],
  [/[{}]/, 'braces `{a,b}`'],
  [/^!|\/!/, 'negation `!`'],
  [/[*?+@!]\(/, 'extended globs such as `*(...)` or `@(...)`'],
  [/\\/, 'backslashes (escapes)']
]

/**
 * Compiles a store pattern (ADR 0065). Supports `**` (a whole segment: any number of whole folders,
 * including none), `*` (any run of characters within one name) and `?` (one character within a name);
 * dot files match like any other. Other glob syntax is CONFIG_INVALID. Matching takes time linear in the
 * path's length for a given pattern, whatever either holds: no regular expression, so no backtracking.
 */
export function compileGlob(pattern: string): PathMatcher {
  checkPattern(pattern)
  const segments: Segment[] = pattern.split('/').map(segment => {
    if (segment === '**') return GLOBSTAR
    if (segment.includes('?')) return { kind: 'wild', chars: Array.from(segment) }
    if (segment.includes('*')) return { kind: 'stars', chunks: segment.split('*') }
    return { kind: 'literal', text: segment }
  })
  const [first, last] = segments
  // The usual pattern, `**/<name>`: only the last name of a path counts, no split needed.
  if (segments.length === 2 && first === GLOBSTAR && last !== GLOBSTAR && last !== undefined) {
    return { pattern, test: path => matchName(last, path.slice(path.lastIndexOf('/') + 1)) }
  }
  return { pattern, test: path => matchSegments(segments, path.split('/')) }
}

function checkPattern(pattern: string): void {
  const invalid = (problem: string): LicenseBackupError =>
    new LicenseBackupError(
      'CONFIG_INVALID',
      message`The store pattern ${JSON.stringify(pattern)} ${problem}; patterns support \`**\` (any folders), \`*\` and \`?\` only, as in "${DEFAULT_PATTERN}".`
    )
  const segments = pattern.split('/')
  if (pattern.length === 0 || pattern.startsWith('/') || segments.includes('..')) {
    throw invalid('is not a relative pattern inside the store')
  }
  if (segments.some(segment => segment === '' || segment === '.')) throw invalid('has an empty or `.` folder')
  for (const [syntax, what] of UNSUPPORTED) {
    if (syntax.test(pattern)) throw invalid(`uses ${what}, which store patterns do not support`)
  }
  if (segments.some(segment => segment !== '**' && segment.includes('**'))) {
    throw invalid('has `**` inside a name; `**` must be a whole folder, as in "a/**/*.jwt"')
  }
}

/**
 * Segments against path names, `**` matching any run of names: the classic wildcard match with one
 * backtrack point (the last `**` seen), where each other segment takes exactly one name. Each name is
 * compared at most once per position of the backtrack point, and a failed name test is never retried
 * from an earlier `**`, so the work is bounded by segments × names.
 */
function matchSegments(segments: Segment[], names: string[]): boolean {
  let s = 0
  let n = 0
  let starSegment = -1
  let starName = 0
  while (n < names.length) {
    const segment = segments[s]
    if (segment === GLOBSTAR) {
      starSegment = s++
      starName = n
      continue
    }
    if (segment !== undefined && matchName(segment, names[n]!)) {
      s++
      n++
      continue
    }
    if (starSegment < 0) return false
    s = starSegment + 1
    n = ++starName
  }
  while (segments[s] === GLOBSTAR) s++
  return s === segments.length
}

/** One name against a segment of the pattern. */
function matchName(segment: NamePattern, name: string): boolean {
  if (segment.kind === 'literal') return segment.text === name
  if (segment.kind === 'stars') return matchStars(segment.chunks, name)
  return matchWild(segment.chars, Array.from(name))
}

/**
 * `*`-only: the first run must start the name and the last end it; each run between takes its leftmost
 * place after the one before, which is never worse than a later place. At most one indexOf per run.
 */
function matchStars(chunks: string[], name: string): boolean {
  const head = chunks[0]!
  const tail = chunks[chunks.length - 1]!
  if (name.length < head.length + tail.length || !name.startsWith(head) || !name.endsWith(tail)) return false
  let at = head.length
  const end = name.length - tail.length
  for (let i = 1; i < chunks.length - 1; i++) {
    const found = name.indexOf(chunks[i]!, at)
    if (found < 0 || found + chunks[i]!.length > end) return false
    at = found + chunks[i]!.length
  }
  return true
}

/**
 * With `?`: the same one-backtrack-point match over code points, so a pattern like `?*-*-*.jwt` costs
 * at most pattern length × name length steps, never exponential or polynomial in the number of stars.
 */
function matchWild(pattern: string[], text: string[]): boolean {
  let p = 0
  let t = 0
  let starPattern = -1
  let starText = 0
  while (t < text.length) {
    const char = pattern[p]
    if (char === '*') {
      starPattern = p++
      starText = t
      continue
    }
    if (char !== undefined && (char === '?' || char === text[t])) {
      p++
      t++
      continue
    }
    if (starPattern < 0) return false
    p = starPattern + 1
    t = ++starText
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}
