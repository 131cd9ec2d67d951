import * as core from '@actions/core'
import type { RunReport } from './report.js'

/** Sets every output, on success and on failure alike, so a later step can report what was done. */
export function setOutputs(report: RunReport): void {
  const artifact = report.lastArtifact
  core.setOutput('backed-up', report.backedUp)
  core.setOutput('restored', report.restored)
  core.setOutput('lease-expires', report.leaseExpires)
  core.setOutput('verified', report.verified)
  core.setOutput('pack-size', report.lastPack.size)
  core.setOutput('bytes-per-license', report.lastPack.perLicense)
  core.setOutput('restricted', report.restricted.length)
  core.setOutput('restricted-key-ids', JSON.stringify(report.restrictedKeyIds))
  core.setOutput('backup-path', report.lastBackupPath)
  core.setOutput('artifact-id', artifact ? String(artifact.id) : '')
  core.setOutput('artifact-url', artifact?.url ?? '')
  core.setOutput('artifact-digest', artifact?.digest ?? '')
  const push = report.lastPush
  core.setOutput('registry-digest', push?.digest ?? '')
  core.setOutput('registry-tags', JSON.stringify(push?.tags ?? []))
}
