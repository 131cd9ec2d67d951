import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RunReport, type StepRecord } from '../../src/action/report.js'
import { restrictedSummary } from '../../src/action/log/step-log.js'
import { writeSummary } from '../../src/action/summary/write-summary.js'

// Issue 23 item 7: GitHub drops a step's summary over 1 MiB whole. At any count the summary stays under
// it, and a list cut short says how many rows it left out and where the full list is.
const LIMIT = 1024 * 1024
const COUNT = 100_000
let dir: string
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lb-summary-size-'))
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

async function summaryOf(steps: StepRecord[]): Promise<{ text: string; bytes: number }> {
  const file = join(dir, `summary-${++n}`)
  await writeFile(file, '')
  const report = new RunReport()
  for (const step of steps) report.add(step)
  await writeSummary(report, { GITHUB_STEP_SUMMARY: file })
  // Read with its apostrophes, which the summary escapes as '.
  const text = (await readFile(file, 'utf8')).replaceAll('&#39;', "'")
  return { text, bytes: (await stat(file)).size }
}

const keyId = (i: number) => i.toString(16).padStart(32, '0')
const restricted = Array.from({ length: COUNT }, (_, i) => ({
  jti: `lic-${i}`,
  key_id: keyId(i),
  title: `A title of some length for the album number ${i} & <friends>`
}))

function backupStep(extra: Partial<StepRecord> = {}): StepRecord {
  return {
    kind: 'backup',
    title: 'Backup (step 1 of 1): ./licenses → ./backup',
    outcome: 'succeeded',
    durationMs: 1000,
    path: './backup',
    backedUp: 5,
    restricted,
    restrictedListedIn: "the step's log and the backup's licenses.tar.gz in ./backup",
    ...extra
  }
}

describe('a job summary that fits', () => {
  it(`${COUNT.toLocaleString('en')} restricted licenses: under 1 MiB, saying how many it left out and where the full list is`, async () => {
    const { text, bytes } = await summaryOf([backupStep()])
    expect(bytes).toBeLessThan(LIMIT)
    expect(text).toContain(`<td>Restricted (not backed up)</td><td>${COUNT}: A title of some length`)
    const note =
      /… and (\d+) more not shown \(the summary's size limit\): the full list is in the step's log and the backup's licenses\.tar\.gz in \.\/backup\./.exec(
        text
      )
    expect(note).not.toBeNull()
    const shown = (text.match(/\(key ID <code>/g) ?? []).length
    expect(shown).toBeGreaterThan(1000)
    expect(shown + Number(note![1])).toBe(COUNT)
  })

  it('a few restricted licenses are all listed, with no note', async () => {
    const { text } = await summaryOf([backupStep({ restricted: restricted.slice(0, 3) })])
    expect((text.match(/\(key ID <code>/g) ?? []).length).toBe(3)
    expect(text).not.toContain('more not shown')
  })

  it('on-restricted: error with 100,000 key IDs in the message, and a restore skipping and refusing 100,000: still under 1 MiB', async () => {
    const failed = backupStep({
      outcome: 'failed',
      error: `${restrictedSummary(restricted.map(r => r.key_id))}. The backup at ./backup is complete without them.`
    })
    const restore: StepRecord = {
      kind: 'restore',
      title: 'Restore (step 2 of 2): ./backup → ./store',
      outcome: 'failed',
      durationMs: 1000,
      skipped: restricted.map(r => ({
        jti: r.jti,
        key_id: r.key_id,
        reason: 'refused: no slot left',
        title: r.title
      })),
      refused: restricted.map(r => ({
        keyId: r.key_id,
        licenseId: r.jti,
        message: 'The license service refused this license: no slot left on this account',
        url: 'https://lms.example.test/why'
      }))
    }
    const { text, bytes } = await summaryOf([failed, restore])
    expect(bytes).toBeLessThan(LIMIT)
    expect(text).toMatch(/cut here, \d+ more characters: the step's log has the whole message/)
    // The budget is shared: the first list takes it, the later ones say where theirs are.
    expect(text).toContain("the full list is in the step's log (a line for each).")
    expect(text).toContain("the full list is in the step's log (an error for each).")
  })

  it('very many steps: a summary GitHub would drop says so instead, under the limit', async () => {
    const steps = Array.from({ length: 3000 }, (_, i) =>
      backupStep({ title: `Backup (step ${i + 1} of 3000): ${'x'.repeat(300)}`, restricted: [] })
    )
    const { text, bytes } = await summaryOf(steps)
    expect(bytes).toBeLessThan(LIMIT)
    expect(text).toMatch(
      /The summary of these 3000 steps was \d+ bytes, over GitHub's limit of 1048576; each step's results are in the log\./
    )
  })
})
