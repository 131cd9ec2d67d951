import * as core from '@actions/core'
import { appendFile } from 'node:fs/promises'
import { bytesPerLicense, type RunReport, type StepRecord } from '../report.js'
import { html, htmlOf, joinHtml, link } from './html.js'
import type { Html } from './html.js'
import { registryRows } from './registry-rows.js'

/** GitHub drops a step's summary over 1 MiB whole (docs: "job summaries"). */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024
/**
 * What all the lists of one summary (restricted, skipped, refused licenses) may take together: half the
 * limit, so the tables around them fit with room to spare at any count (ADR 0179).
 */
export const LISTS_BUDGET_BYTES = 512 * 1024
/** A failed step's message past this is cut in the summary; the log has it whole. */
export const MESSAGE_CELL_BYTES = 8 * 1024

/** The bytes the lists of one summary may still take. */
interface Budget {
  left: number
}

/**
 * Writes the job summary: a table per step. Skipped when the runner gives no summary file (local runs).
 * core.summary lays out the HTML from cells made by the `html` template; the file is appended here because
 * core.summary remembers the first file it ever wrote to, and a host (or a test) running the action twice
 * in one process has a new file each time. It stays under SUMMARY_LIMIT_BYTES at any count: lists past
 * the budget say how many they left out and where the full list is.
 */
export async function writeSummary(report: RunReport, env: NodeJS.ProcessEnv): Promise<void> {
  const file = env['GITHUB_STEP_SUMMARY']
  if (!file || report.steps.length === 0) return
  const text = summaryText(report)
  await appendFile(file, `${text}\n`, 'utf8')
}

function summaryText(report: RunReport): string {
  const budget: Budget = { left: LISTS_BUDGET_BYTES }
  core.summary.emptyBuffer()
  core.summary.addHeading('License backup', 2)
  for (const step of report.steps) {
    core.summary.addHeading(htmlOf(html`${step.title}`), 3)
    core.summary.addTable([
      [
        { data: 'What', header: true },
        { data: 'Result', header: true }
      ],
      ...rows(step, budget).map(([what, result]) => [what, htmlOf(result)])
    ])
  }
  const text = core.summary.stringify()
  core.summary.emptyBuffer()
  if (Buffer.byteLength(text) <= SUMMARY_LIMIT_BYTES) return text
  // Only very many steps get here: a summary GitHub would drop whole says so instead.
  const note = `The summary of these ${report.steps.length} steps was ${Buffer.byteLength(text)} bytes, over GitHub's limit of ${SUMMARY_LIMIT_BYTES}; each step's results are in the log.`
  return htmlOf(
    html`<h2>License backup</h2>
      <p>${note}</p>`
  )
}

const BR = html`<br />`
const BR_BYTES = Buffer.byteLength(htmlOf(BR))

function rows(step: StepRecord, budget: Budget): [string, Html][] {
  const rows: [string, Html][] = [['Outcome', outcomeText(step)]]
  if (step.path !== undefined) rows.push([PATH_LABELS[step.kind], html`<code>${step.path}</code>`])
  if (step.backedUp !== undefined) rows.push(['Licenses backed up', html`${step.backedUp}`])
  if (step.packSize !== undefined) rows.push(['Pack size', packText(step)])
  if (step.signed !== undefined)
    rows.push(['Signed', html`${step.signed ? 'yes (manifest.json.sig)' : 'no'}`])
  if (step.verified !== undefined) rows.push(['Licenses verified', html`${step.verified}`])
  if (step.origin !== undefined) rows.push(['Origin', html`${step.origin}`])
  if (step.signer !== undefined) rows.push(['Signed by', html`${step.signer}`])
  if (step.restricted !== undefined) rows.push(['Restricted (not backed up)', restrictedText(step, budget)])
  if (step.restored !== undefined) rows.push(['Licenses restored', html`${step.restored}`])
  if (step.released !== undefined) rows.push(['Licenses released', html`${step.released}`])
  if (step.renewed !== undefined) rows.push(['Lease copies renewed', html`${step.renewed}`])
  if (step.leaseExpires !== undefined) rows.push(['Lease expires', html`${step.leaseExpires}`])
  if (step.unchanged !== undefined) rows.push(['Already on this machine', html`${step.unchanged}`])
  if (step.expired) rows.push(['Expired (not restored)', html`${step.expired}`])
  if (step.skipped?.length) {
    const skipped = bounded(
      step.skipped,
      s =>
        html`${s.title ?? 'license'} (key ID <code>${s.key_id}</code>, license <code>${s.jti}</code>):
          ${s.reason}`,
      budget,
      "the step's log (a line for each)"
    )
    rows.push(['Refused, skipped', skipped])
  }
  if (step.refused?.length) {
    const refused = bounded(
      step.refused,
      r => html`key ID <code>${r.keyId}</code>: ${r.message} (${link(r.url, 'details')})`,
      budget,
      "the step's log (an error for each)"
    )
    rows.push(['Refused', refused])
  }
  rows.push(['Duration', html`${(step.durationMs / 1000).toFixed(1)} s`])
  if (step.artifact) {
    rows.push(['Artifact', html`${link(step.artifact.url, step.artifact.name)} (ID ${step.artifact.id})`])
  }
  if (step.registry) rows.push(...registryRows(step.registry))
  return rows
}

const PATH_LABELS: Record<StepRecord['kind'], string> = {
  backup: 'Backup folder',
  restore: 'Restored from',
  verify: 'Verified',
  release: 'Released from',
  renew: 'Renewed in'
}

function packText(step: StepRecord): Html {
  const size = step.packSize ?? 0
  const count = step.backedUp ?? step.verified ?? 0
  return count > 0
    ? html`${size} bytes (${bytesPerLicense(size, count)} bytes a license)`
    : html`${size} bytes`
}

/** A failed step's message, cut past MESSAGE_CELL_BYTES (on-restricted: error lists every key ID). */
function outcomeText(step: StepRecord): Html {
  if (step.outcome === 'succeeded' || !step.error) return html`${step.outcome}`
  if (step.error.length <= MESSAGE_CELL_BYTES) return html`${step.outcome}: ${step.error}`
  const cut = step.error.slice(0, MESSAGE_CELL_BYTES)
  const note = `cut here, ${step.error.length - cut.length} more characters: the step's log has the whole message`
  return html`${step.outcome}: ${cut} … (${note})`
}

function restrictedText(step: StepRecord, budget: Budget): Html {
  const restricted = step.restricted ?? []
  if (restricted.length === 0) return html`0`
  const each = bounded(
    restricted,
    r =>
      r.title ? html`${r.title} (key ID <code>${r.key_id}</code>)` : html`key ID <code>${r.key_id}</code>`,
    budget,
    step.restrictedListedIn ?? "the step's log"
  )
  return html`${restricted.length}: ${each}`
}

/**
 * The items, one a line, while the summary's budget lasts; then how many were left out and where the full
 * list is. Items past the budget are never rendered, so 100,000 cost no more than the few shown.
 */
function bounded<T>(items: readonly T[], render: (item: T) => Html, budget: Budget, listedIn: string): Html {
  const shown: Html[] = []
  for (const item of items) {
    const line = render(item)
    const size = Buffer.byteLength(htmlOf(line)) + BR_BYTES
    if (size > budget.left) break
    budget.left -= size
    shown.push(line)
  }
  const left = items.length - shown.length
  if (left === 0) return joinHtml(shown, BR)
  const note = `… and ${left} more not shown (the summary's size limit): the full list is in ${listedIn}.`
  return joinHtml([...shown, html`${note}`], BR)
}
