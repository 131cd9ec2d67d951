import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import {
  ISSUE_27_TARGETS,
  makeRow,
  mergeRows,
  missingTargets,
  ROW_FIELDS,
  rowProblem,
  type Row
} from '../../bench/rows.js'

const sample = (ms: number, rssMb = 0): { ms: number; rssMb: number } => ({ ms, rssMb })

/** The rows one bench run at `size` writes for issue 27's targets (measures as bench/run.ts names them). */
function runRows(size: number): Row[] {
  const timed = (measure: string, baseline: string, limit: number): Row =>
    makeRow({
      size,
      measure,
      sample: sample(300, 150),
      baseline: { label: baseline, sample: sample(100) },
      target: { text: `≤ ${limit}×`, limit }
    })
  const rss = (operation: string): Row =>
    makeRow({ size, measure: `peak RSS, ${operation}`, sample: sample(0, 150) })
  return [
    timed('backup, gzip (the default), verification off', 'tar -czf', 1.5),
    timed('backup, compression none, verification off', 'tar -cf', 2),
    timed('backup, verified', 'bare signature checks, 2 threads', 1 / 0.85),
    timed('restore through the service', 'verified backup', 3),
    ...['restore', 'backup, gzip', 'backup, compression none', 'backup, verified', 'verify step'].map(rss),
    makeRow({
      size,
      measure: 'pack size, backup, gzip: 400 bytes (200 a license)',
      baseline: { label: 'tar -czf of the same licenses: 300 bytes', sample: sample(0) },
      ratio: 400 / 300,
      target: { text: '≤ 1.2× tar -czf', limit: 1.2 }
    }),
    timed('registry push, 1.0 MB in 2 blobs (10 MB/s)', 'curl -T, same blobs (30 MB/s)', 1.5),
    timed('registry pull, 1.0 MB in 2 blobs (10 MB/s)', 'curl -o, same blobs (30 MB/s)', 1.5)
  ]
}

const onceRows = [
  makeRow({
    size: 20_000,
    measure: 'service, SQLite, 1 instance, restores (leases): 900/s',
    sample: sample(22_000),
    baseline: { label: 'bare verify and sign, 1 thread: 2,000/s', sample: sample(10_000) },
    target: { text: '≤ 2× the bare loop', limit: 2 }
  }),
  makeRow({
    size: 0,
    measure: 'cold start (node dist/index.js to its first log line)',
    sample: sample(110),
    target: { text: '≤ 120 ms', met: true }
  })
]

describe('the rows of bench/results/latest.json', () => {
  it('have exactly the fields issue 27 names, a ratio against the baseline and a verdict against the limit', () => {
    const row = makeRow({
      size: 2000,
      measure: 'backup, gzip (the default), verification off',
      sample: sample(300, 150),
      baseline: { label: 'tar -czf', sample: sample(100) },
      target: { text: '≤ 1.5× tar -czf', limit: 1.5 }
    })
    expect(Object.keys(row)).toEqual([...ROW_FIELDS])
    expect(row).toEqual({
      size: 2000,
      measure: 'backup, gzip (the default), verification off',
      ms: 300,
      rss_mb: 150,
      baseline: 'tar -czf',
      baseline_ms: 100,
      ratio: 3,
      target: '≤ 1.5× tar -czf',
      met: false
    })
    expect(rowProblem(row)).toBeUndefined()
    expect(
      makeRow({
        size: 1,
        measure: 'x',
        sample: sample(10),
        baseline: { label: 'y', sample: sample(10) },
        target: { text: 't', limit: 1 }
      }).met
    ).toBe(true)
  })

  it('have no verdict without a target, and a verdict reached otherwise when the target says so', () => {
    expect(makeRow({ size: 1000, measure: 'peak RSS, restore', sample: sample(0, 120) })).toMatchObject({
      target: '',
      met: null,
      ratio: 0
    })
    expect(
      makeRow({
        size: 0,
        measure: 'cold start',
        sample: sample(130),
        target: { text: '≤ 120 ms', met: false }
      })
    ).toMatchObject({ ms: 130, met: false })
    // A missing baseline time makes no ratio, and no ratio meets a limit.
    expect(
      makeRow({ size: 1, measure: 'x', sample: sample(5), target: { text: '≤ 2×', limit: 2 } }).met
    ).toBe(false)
  })

  it('name what is wrong with a row of another shape', () => {
    const good = makeRow({ size: 1, measure: 'm', sample: sample(1) })
    expect(rowProblem({ ...good, extra: 1 })).toBe('unknown field(s) extra')
    expect(rowProblem({ ...good, ms: '1' })).toBe('ms is not a number')
    expect(rowProblem({ ...good, met: true })).toBe('a target without a verdict, or the reverse')
    expect(rowProblem(null)).toBe('it is not an object')
  })

  it('as committed all have that shape', () => {
    const { rows } = JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as { rows: unknown[] }
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.map(rowProblem).filter(Boolean)).toEqual([])
  })

  it('cover every target of issue 27 at every size a run measured, and name the ones missing', () => {
    const rows = [...runRows(2000), ...runRows(20_000), ...onceRows]
    expect(missingTargets(rows, [2000, 20_000])).toEqual([])
    expect(ISSUE_27_TARGETS.every(target => rows.some(target.matches))).toBe(true)
    const withoutPull = rows.filter(row => !(row.size === 20_000 && row.measure.startsWith('registry pull')))
    expect(missingTargets(withoutPull, [2000, 20_000])).toEqual(['registry pull against curl at 20,000'])
    expect(missingTargets([], [2000], ['cold'])).toEqual(['cold start'])
  })

  it('of a partial run replace the earlier figures of the same measure, whatever rate its text names', () => {
    const [push] = runRows(2000).filter(row => row.measure.startsWith('registry push'))
    const again = {
      ...push!,
      measure: 'registry push, 1.0 MB in 2 blobs (25 MB/s)',
      baseline: 'curl -T, same blobs (31 MB/s)'
    }
    const other = runRows(20_000)[0]!
    expect(mergeRows([push!, other], [again])).toEqual([other, again])
  })
})
