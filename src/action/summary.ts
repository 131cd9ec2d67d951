import * as core from '@actions/core'
import { appendFile } from 'node:fs/promises'
import type { RunReport, StepRecord } from './report.js'

type SummaryTableRow = Parameters<typeof core.summary.addTable>[0][number]

/**
 * Writes the job summary: a table per step. Skipped when the runner gives no summary file (local runs).
 * core.summary builds the HTML; the file is appended here because core.summary remembers the first file
 * it ever wrote to, and a host (or a test) running the action twice in one process has a new file each time.
 */
export async function writeSummary(report: RunReport, env: NodeJS.ProcessEnv): Promise<void> {
  const file = env['GITHUB_STEP_SUMMARY']
  if (!file || report.steps.length === 0) return
  core.summary.emptyBuffer()
  core.summary.addHeading('License backup', 2)
  for (const step of report.steps) {
    core.summary.addHeading(escape(step.title), 3)
    core.summary.addTable([
      [
        { data: 'What', header: true },
        { data: 'Result', header: true }
      ],
      ...rows(step)
    ])
  }
  const html = core.summary.stringify()
  core.summary.emptyBuffer()
  await appendFile(file, `${html}\n`, 'utf8')
}

function rows(step: StepRecord): SummaryTableRow[] {
  const rows: [string, string][] = [['Outcome', outcomeText(step)]]
  if (step.path !== undefined)
    rows.push([step.kind === 'backup' ? 'Backup folder' : 'Restored from', code(step.path)])
  if (step.backedUp !== undefined) rows.push(['Licenses backed up', String(step.backedUp)])
  if (step.restricted !== undefined) rows.push(['Restricted (not backed up)', restrictedText(step)])
  if (step.restored !== undefined) rows.push(['Licenses restored', String(step.restored)])
  if (step.released !== undefined) rows.push(['Licenses released', String(step.released)])
  if (step.unchanged !== undefined) rows.push(['Already on this machine', String(step.unchanged)])
  if (step.skipped?.length) {
    rows.push([
      'Skipped',
      step.skipped.map(s => `${escape(s.title ?? s.key_id)}: ${escape(s.reason)}`).join('<br>')
    ])
  }
  if (step.refused?.length) {
    rows.push([
      'Refused',
      step.refused
        .map(r => `key ID ${code(r.keyId)}: ${escape(r.message)} (<a href="${escape(r.url)}">details</a>)`)
        .join('<br>')
    ])
  }
  rows.push(['Duration', `${(step.durationMs / 1000).toFixed(1)} s`])
  if (step.artifact) {
    rows.push([
      'Artifact',
      `<a href="${escape(step.artifact.url)}">${escape(step.artifact.name)}</a> (ID ${step.artifact.id})`
    ])
  }
  return rows
}

function outcomeText(step: StepRecord): string {
  if (step.outcome === 'succeeded') return 'succeeded'
  return `${step.outcome}${step.error ? `: ${escape(step.error)}` : ''}`
}

function restrictedText(step: StepRecord): string {
  const restricted = step.restricted ?? []
  if (restricted.length === 0) return '0'
  return `${restricted.length}: ${restricted.map(r => (r.title ? `${escape(r.title)} (key ID ${code(r.key_id)})` : `key ID ${code(r.key_id)}`)).join('<br>')}`
}

function code(text: string): string {
  return `<code>${escape(text)}</code>`
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
