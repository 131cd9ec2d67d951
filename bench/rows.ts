// The rows of bench/results/latest.json (issue 27 item 6): one per measure and store size, each against its
// baseline and target. run.ts adds them through addRow; a part measured by another module does the same.
import type { Sample } from './measure.js'

/** One figure of bench/results/latest.json (a script reads it): snake_case, as issue 15 names the fields. */
export interface Row {
  /** Licenses in the store measured; 0 for a figure that does not depend on it (cold start). */
  size: number
  measure: string
  /** Wall time of the measure, ms; 0 for a figure that is not a time (peak RSS, bytes). */
  ms: number
  /** Peak resident set size of the measure's process, MB; 0 when not measured. */
  rss_mb: number
  /** What the measure is compared with; empty for a figure judged alone. */
  baseline: string
  baseline_ms: number
  /** measure / baseline (times, or sizes for a size row); 0 without a baseline. */
  ratio: number
  /** The target as people read it; empty for a figure without one. */
  target: string
  /** Whether the target is met; null without a target. */
  met: boolean | null
}

export const ROW_FIELDS = [
  'size',
  'measure',
  'ms',
  'rss_mb',
  'baseline',
  'baseline_ms',
  'ratio',
  'target',
  'met'
] as const satisfies ReadonlyArray<keyof Row>

export interface RowInput {
  size: number
  measure: string
  /** The measured time and peak RSS; omitted for a figure that is neither (a size, a check). */
  sample?: Sample
  /** What it is compared with: its label and its own time. */
  baseline?: { label: string; sample: Sample }
  /** The ratio when it is not sample / baseline time (sizes, rates). */
  ratio?: number
  /**
   * The target: `limit` is the largest ratio that meets it; `met` a verdict reached otherwise (an RSS,
   * a check). A row with neither has no target.
   */
  target?: { text: string; limit: number } | { text: string; met: boolean }
}

/** The row for `input`, its ratio and verdict computed as the bench computes every one. */
export function makeRow(input: RowInput): Row {
  const ms = input.sample?.ms ?? 0
  const baselineMs = input.baseline?.sample.ms ?? 0
  const ratio = input.ratio ?? (baselineMs > 0 ? ms / baselineMs : 0)
  const target = input.target
  return {
    size: input.size,
    measure: input.measure,
    ms,
    rss_mb: input.sample?.rssMb ?? 0,
    baseline: input.baseline?.label ?? '',
    baseline_ms: baselineMs,
    ratio,
    target: target?.text ?? '',
    met: target === undefined ? null : 'met' in target ? target.met : ratio > 0 && ratio <= target.limit
  }
}

/** What is wrong with a row read back from latest.json, or undefined when it has the shape above. */
export function rowProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return 'it is not an object'
  const row = value as Record<string, unknown>
  const extra = Object.keys(row).filter(key => !(ROW_FIELDS as readonly string[]).includes(key))
  if (extra.length) return `unknown field(s) ${extra.join(', ')}`
  for (const field of ['size', 'ms', 'rss_mb', 'baseline_ms', 'ratio'] as const)
    if (typeof row[field] !== 'number' || !Number.isFinite(row[field])) return `${field} is not a number`
  for (const field of ['measure', 'baseline', 'target'] as const)
    if (typeof row[field] !== 'string') return `${field} is not a string`
  if (row['met'] !== null && typeof row['met'] !== 'boolean') return 'met is neither true, false nor null'
  if ((row['target'] === '') !== (row['met'] === null)) return 'a target without a verdict, or the reverse'
  return undefined
}

/**
 * Issue 27's targets, each a row the bench must write: `each` at every store size measured, `once` at
 * any size (the service's own 20,000, the cold start's 0).
 */
export const ISSUE_27_TARGETS: ReadonlyArray<{
  name: string
  per: 'each' | 'once'
  /** The bench part (`--only`) that writes it. */
  part: string
  matches(row: Row): boolean
}> = [
  { name: 'backup, gzip, against tar -czf', per: 'each', part: 'backup', matches: named('backup, gzip') },
  {
    name: 'backup, compression none, against tar -cf',
    per: 'each',
    part: 'backup',
    matches: named('backup, compression none')
  },
  {
    name: 'verified backup, share of the bare check rate',
    per: 'each',
    part: 'verified',
    matches: named('backup, verified', 'bare signature checks')
  },
  {
    name: 'restore against the verified backup',
    per: 'each',
    part: 'restore',
    matches: named('restore through the service', 'verified backup')
  },
  { name: 'peak RSS, restore', per: 'each', part: 'restore', matches: named('peak RSS, restore') },
  { name: 'peak RSS, backup, gzip', per: 'each', part: 'backup', matches: named('peak RSS, backup, gzip') },
  {
    name: 'peak RSS, backup, compression none',
    per: 'each',
    part: 'backup',
    matches: named('peak RSS, backup, compression none')
  },
  {
    name: 'peak RSS, backup, verified',
    per: 'each',
    part: 'verified',
    matches: named('peak RSS, backup, verified')
  },
  { name: 'peak RSS, verify step', per: 'each', part: 'verify', matches: named('peak RSS, verify step') },
  {
    name: 'pack size against tar -czf',
    per: 'each',
    part: 'backup',
    matches: named('pack size', 'tar -czf')
  },
  {
    name: 'service re-issues against a bare verify-and-sign loop',
    per: 'once',
    part: 'service',
    matches: named('service, ', 'bare verify and sign')
  },
  {
    name: 'registry push against curl',
    per: 'each',
    part: 'registry',
    matches: named('registry push,', 'curl')
  },
  {
    name: 'registry pull against curl',
    per: 'each',
    part: 'registry',
    matches: named('registry pull,', 'curl')
  },
  { name: 'cold start', per: 'once', part: 'cold', matches: named('cold start') }
]

/**
 * A row whose measure starts with `measure` and whose baseline starts with `baseline`. Its target may be
 * empty: the peak RSS is judged only from 100,000 licenses up.
 */
function named(measure: string, baseline = ''): (row: Row) => boolean {
  return row => row.measure.startsWith(measure) && row.baseline.startsWith(baseline)
}

/**
 * Issue 27's targets with no row in `rows` for the parts a run measured (`parts`, every part when
 * undefined) at `sizes`, named as `<target> at <size>`.
 */
export function missingTargets(
  rows: readonly Row[],
  sizes: readonly number[],
  parts?: readonly string[]
): string[] {
  const missing: string[] = []
  for (const target of ISSUE_27_TARGETS) {
    if (parts && !parts.includes(target.part)) continue
    const found = rows.filter(target.matches)
    if (target.per === 'once') {
      if (found.length === 0) missing.push(target.name)
      continue
    }
    for (const size of sizes)
      if (!found.some(row => row.size === size))
        missing.push(`${target.name} at ${size.toLocaleString('en')}`)
  }
  return missing
}

/**
 * The rows of a partial run (`--only`) merged into the previous file's: a row measured again replaces
 * its earlier figure. Rows are the same when their size, measure and baseline are, but for the figures
 * some measures name in their text (a rate, a size), so a new rate replaces the old one.
 */
export function mergeRows(previous: readonly Row[], measured: readonly Row[]): Row[] {
  const again = new Set(measured.map(rowKey))
  return [...previous.filter(row => !again.has(rowKey(row))), ...measured]
}

/** A row's identity across runs: its size, and its measure and baseline with every figure in them masked. */
export function rowKey(row: Row): string {
  const masked = (text: string): string => text.replace(/\d[\d,.]*/g, '#')
  return `${row.size} ${masked(row.measure)} | ${masked(row.baseline)}`
}
