/**
 * OpenSSH's pattern lists (match.c, the grammar of ssh_config(5) PATTERNS), which allowed_signers uses for
 * principals and `namespaces="…"`: comma-separated patterns where `*` is any run of characters and `?` one
 * character, each possibly negated by a leading `!`. Strings are byte strings (one latin1 character a
 * byte), as the C code compares bytes. ADR 0180.
 */

/** match.c's subpattern buffer is 1024 bytes: a longer subpattern makes the whole list fail to match. */
const MAX_SUBPATTERN = 1023

/** match_pattern: whether `value` matches the glob `pattern` as a whole. */
export function matchPattern(value: string, pattern: string): boolean {
  let states = start(pattern)
  for (const char of value) {
    states = step(pattern, states, char)
    if (states.size === 0) return false
  }
  return states.has(pattern.length)
}

interface Subpattern {
  negated: boolean
  pattern: string
}

/** The list's subpatterns as match_pattern_list splits them, up to the first too long one, if any. */
function split(list: string): { subpatterns: Subpattern[]; tooLong: boolean } {
  const subpatterns: Subpattern[] = []
  let i = 0
  while (i < list.length) {
    const negated = list[i] === '!'
    if (negated) i++
    const comma = list.indexOf(',', i)
    const end = comma < 0 ? list.length : comma
    if (end - i >= MAX_SUBPATTERN) return { subpatterns, tooLong: true }
    subpatterns.push({ negated, pattern: list.slice(i, end) })
    i = comma < 0 ? end : end + 1
  }
  return { subpatterns, tooLong: false }
}

/**
 * match_pattern_list with `dolower` 0 (sshsig.c matches principals and namespaces case-sensitively):
 * -1 when a negated pattern matches (the whole list refuses, whatever else matches), 1 when a plain
 * pattern matches, 0 when none does.
 */
export function matchPatternList(value: string, list: string): -1 | 0 | 1 {
  const { subpatterns, tooLong } = split(list)
  let positive = false
  for (const { negated, pattern } of subpatterns) {
    if (!matchPattern(value, pattern)) continue
    if (negated) return -1
    positive = true
  }
  // A too long subpattern is reached only when no negation before it matched: the list answers 0.
  return positive && !tooLong ? 1 : 0
}

/** Beyond this many automaton states, `someMatch` gives up (a list no allowed_signers file needs). */
const MAX_STATES = 20_000

/**
 * A string `list` answers 1 for, or undefined when there is none: the identity `ssh-keygen -Y verify -I`
 * would need to use a line (a restore has no identity: it accepts a line some identity can use). A breadth
 * first search over the patterns' automata, so the string found is a shortest one.
 */
export function someMatch(list: string): string | undefined {
  const { subpatterns, tooLong } = split(list)
  if (tooLong || !subpatterns.some(s => !s.negated)) return undefined
  const patterns = subpatterns.map(s => s.pattern)
  const alphabet = alphabetOf(patterns)
  const accepts = (states: Set<number>[]): boolean =>
    subpatterns.some((s, i) => !s.negated && states[i]!.has(s.pattern.length)) &&
    subpatterns.every((s, i) => !s.negated || !states[i]!.has(s.pattern.length))
  let frontier: Array<{ text: string; states: Set<number>[] }> = [{ text: '', states: patterns.map(start) }]
  const seen = new Set([keyOf(frontier[0]!.states)])
  while (frontier.length > 0 && seen.size <= MAX_STATES) {
    const next: typeof frontier = []
    for (const { text, states } of frontier) {
      if (accepts(states)) return text
      for (const char of alphabet) {
        const moved = patterns.map((pattern, i) => step(pattern, states[i]!, char))
        const key = keyOf(moved)
        if (seen.has(key)) continue
        seen.add(key)
        next.push({ text: text + char, states: moved })
      }
    }
    frontier = next
  }
  return undefined
}

/** The literal characters of the patterns, and one character none of them names (any other one). */
function alphabetOf(patterns: string[]): string[] {
  const literal = new Set([...patterns.join('')].filter(c => c !== '*' && c !== '?'))
  const other = [...'xyzabcdefghijklmnopqrstuvw0123456789'].find(c => !literal.has(c)) ?? '\u00ff'
  return [...literal, other]
}

function keyOf(states: Set<number>[]): string {
  return states.map(set => [...set].sort((a, b) => a - b).join(',')).join('|')
}

/** The glob automaton: a state is how many pattern characters are consumed; `*` consumes zero or more. */
function start(pattern: string): Set<number> {
  return closure(pattern, new Set([0]))
}

function step(pattern: string, states: Set<number>, char: string): Set<number> {
  const moved = new Set<number>()
  for (const at of states) {
    const wanted = pattern[at]
    if (wanted === '*') moved.add(at)
    else if (wanted === '?' || wanted === char) moved.add(at + 1)
  }
  return closure(pattern, moved)
}

function closure(pattern: string, states: Set<number>): Set<number> {
  for (const at of states) if (pattern[at] === '*') states.add(at + 1)
  return states
}
