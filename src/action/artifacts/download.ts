import { logText } from '../log/text.js'
import { log } from '../log/write.js'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LicenseBackupError } from '../../engine/errors.js'
import { ConfigError } from '../steps/config-error.js'
import type { ArtifactSource } from '../steps/types.js'
import type { ArtifactClient, RunContext } from './client.js'
import { extractBackup } from './extract-backup.js'
import { isNotFound, messageOf } from './upload.js'
import { latestSuccessfulRun } from './workflow-runs.js'

export interface DownloadContext {
  client: ArtifactClient
  run: RunContext
  /** The `github-token` input: needed for another run's artifact. */
  token: string
  fetch: typeof fetch
}

/**
 * Downloads a backup artifact into a fresh private temporary folder (mode 0700) and returns that folder,
 * which the engine then verifies like any backup. The artifact comes from this run, from `run-id`, or from
 * the latest successful run of `workflow`.
 */
export async function downloadBackup(source: ArtifactSource, context: DownloadContext): Promise<string> {
  const findBy = await locateRun(source, context)
  const where = findBy
    ? `run ${findBy.workflowRunId} of ${findBy.repositoryOwner}/${findBy.repositoryName}`
    : 'this run'
  let artifact
  try {
    ;({ artifact } = await context.client.getArtifact(source.name, findBy ? { findBy } : undefined))
  } catch (error) {
    if (isNotFound(error)) {
      throw new ConfigError(
        `artifact "${source.name}" was not found in ${where}: check \`from-artifact.name\`, that the backup job uploaded it, and that it has not expired.`,
        source.at
      )
    }
    throw new LicenseBackupError(
      'IO_ERROR',
      `Looking up artifact "${source.name}" in ${where} failed: ${messageOf(error)}`,
      {
        cause: error
      }
    )
  }
  const dir = await mkdtemp(join(context.run.tempDir ?? tmpdir(), 'license-backup-restore-'))
  log.info(logText`Downloading artifact "${source.name}" (ID ${artifact.id}) from ${where}.`)
  const zipDir = join(dir, '.artifact')
  let response
  try {
    // The zip is kept whole and taken apart here, not by the client: only the manifest and the pack come
    // out, each capped (a zip bomb stops at the size it declares).
    response = await context.client.downloadArtifact(artifact.id, {
      path: zipDir,
      skipDecompress: true,
      ...(artifact.digest ? { expectedHash: withPrefix(artifact.digest) } : {}),
      ...(findBy ? { findBy } : {})
    })
  } catch (error) {
    throw new LicenseBackupError(
      'IO_ERROR',
      `Downloading artifact "${source.name}" failed: ${messageOf(error)}`,
      {
        cause: error
      }
    )
  }
  if (response.digestMismatch) {
    throw new LicenseBackupError(
      'BACKUP_CORRUPT',
      `Artifact "${source.name}" (ID ${artifact.id}) does not match the digest recorded at upload: it was changed or damaged in transit. Nothing was restored.`
    )
  }
  const [zip] = await readdir(zipDir)
  if (zip === undefined)
    throw new LicenseBackupError('IO_ERROR', `Artifact "${source.name}" downloaded as nothing.`)
  await extractBackup(join(zipDir, zip), dir, source.name)
  await rm(zipDir, { recursive: true, force: true })
  return dir
}

/** The download compares `sha256:<hex>`; the service may record the bare hex. */
function withPrefix(digest: string): string {
  return digest.startsWith('sha256:') ? digest : `sha256:${digest}`
}

async function locateRun(source: ArtifactSource, context: DownloadContext) {
  if (source.runId === undefined && source.workflow === undefined) return undefined
  if (!context.token) {
    throw new ConfigError(
      'downloading an artifact of another run needs the `github-token` input (a token with `actions: read`).',
      source.at
    )
  }
  const repository = source.repository ?? context.run.repository
  const [owner = '', name = ''] = repository.split('/')
  const runId =
    source.runId ??
    (await latestSuccessfulRun(
      {
        apiUrl: context.run.apiUrl,
        owner,
        repo: name,
        workflow: source.workflow ?? '',
        token: context.token
      },
      context.fetch,
      source.at
    ))
  return { token: context.token, workflowRunId: runId, repositoryOwner: owner, repositoryName: name }
}
