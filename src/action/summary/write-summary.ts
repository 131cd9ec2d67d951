import * as core from '@actions/core'
import { appendFile } from 'node:fs/promises'
import { bytesPerLicense, type RunReport, type StepRecord } from '../report.js'
import { html, htmlOf, joinHtml, link } from './html.js'
import type { Html } from './html.js'
import { registryRows } from './registry-rows.js'

/**
 * Writes the job summary: a table per step. Skipped when the runner gives no summary file (local runs).
 * core.summary lays out the HTML from cells made by the `html` template; the file is appended here because
 * core.summary remembers the first file it ever wrote to, and a host (or a test) running the action twice
 * in one process has a new file each time.
 */
export async function writeSummary(report: RunReport, env: NodeJS.ProcessEnv): Promise<void> {
  const file = env['GITHUB_STEP_SUMMARY']
  if (!file || report.steps.length === 0) return
  core.summary.emptyBuffer()
  core.summary.addHeading('License backup', 2)
  for (const step of report.steps) {
    core.summary.addHeading(htmlOf(html`${step.title}`), 3)
    core.summary.addTable([
      [
        { data: 'What', header: true },
        { data: 'Result', header: true }
      ],
      ...rows(step).map(([what, result]) => [what, htmlOf(result)])
    ])
  }
  const text = core.summary.stringify()
  core.summary.emptyBuffer()
  await appendFile(file, `${text}\n`, 'utf8')
}

const BR = html`<br />`

function rows(step: StepRecord): [string, Html][] {
  const rows: [string, Html][] = [['Outcome', outcomeText(step)]]
  if (step.path !== undefined) rows.push([PATH_LABELS[step.kind], html`<code>${step.path}</code>`])
  if (step.backedUp !== undefined) rows.push(['Licenses backed up', html`${step.backedUp}`])
  if (step.packSize !== undefined) rows.push(['Pack size', packText(step)])
  if (step.signed !== undefined)
    rows.push(['Signed', html`${step.signed ? 'yes (manifest.json.sig)' : 'no'}`])
  if (step.verified !== undefined) rows.push(['Licenses verified', html`${step.verified}`])
  if (step.origin !== undefined) rows.push(['Origin', html`${step.origin}`])
  if (step.signer !== undefined) rows.push(['Signed by', html`${step.signer}`])
  if (step.restricted !== undefined) rows.push(['Restricted (not backed up)', restrictedText(step)])
  if (step.restored !== undefined) rows.push(['Licenses restored', html`${step.restored}`])
  if (step.released !== undefined) rows.push(['Licenses released', html`${step.released}`])
  if (step.renewed !== undefined) rows.push(['Lease copies renewed', html`${step.renewed}`])
  if (step.leaseExpires !== undefined) rows.push(['Lease expires', html`${step.leaseExpires}`])
  if (step.unchanged !== undefined) rows.push(['Already on this machine', html`${step.unchanged}`])
  if (step.expired) rows.push(['Expired (not restored)', html`${step.expired}`])
  if (step.skipped?.length) {
    const skipped = step.skipped.map(
      s =>
        html`${s.title ?? 'license'} (key ID <code>${s.key_id}</code>, license <code>${s.jti}</code>):
          ${s.reason}`
    )
    rows.push(['Skipped', joinHtml(skipped, BR)])
  }
  if (step.refused?.length) {
    const refused = step.refused.map(
      r => html`key ID <code>${r.keyId}</code>: ${r.message} (${link(r.url, 'details')})`
    )
    rows.push(['Refused', joinHtml(refused, BR)])
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

function outcomeText(step: StepRecord): Html {
  if (step.outcome === 'succeeded' || !step.error) return html`${step.outcome}`
  return html`${step.outcome}: ${step.error}`
}

function restrictedText(step: StepRecord): Html {
  const restricted = step.restricted ?? []
  if (restricted.length === 0) return html`0`
  const each = restricted.map(r =>
    r.title ? html`${r.title} (key ID <code>${r.key_id}</code>)` : html`key ID <code>${r.key_id}</code>`
  )
  return html`${restricted.length}: ${joinHtml(each, BR)}`
}
