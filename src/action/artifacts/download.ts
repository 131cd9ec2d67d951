import { logText } from '../log/text.js'
import { log } from '../log/write.js'
import { readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LicenseBackupError } from '../../engine/index.js'
import { ConfigError } from '../steps/config-error.js'
import type { ArtifactSource } from '../steps/types.js'
import type { ArtifactClient } from './client.js'
import type { WorkflowRun } from '../workflow-run.js'
import { extractBackup } from './extract-backup.js'
import { isNotFound, messageOf } from './upload.js'
import { makeRestoreDir } from './restore-dir.js'
import { selectArtifact } from './select-artifact.js'
import { describeRun } from './workflow-runs.js'

export interface DownloadContext {
  client: ArtifactClient
  run: WorkflowRun
  /** The `github-token` input: needed for another run's artifact. */
  token: string
  fetch: typeof fetch
  now(): number
}

/** The downloaded backup folder, and which artifact it came from, for the log and the summary. */
export interface DownloadedBackup {
  dir: string
  description: string
}

/** The artifact to download: its ID and digest, and for another run the `findBy` of the client. */
interface Located {
  id: number
  digest?: string
  findBy?: FindBy
  description: string
}

type FindBy = { token: string; workflowRunId: number; repositoryOwner: string; repositoryName: string }

/**
 * Downloads a backup artifact into a fresh private temporary folder (mode 0700) and returns that folder,
 * which the engine then verifies like any backup. The artifact comes from this run, or from another run
 * chosen by `selectArtifact` (docs/format.md, where backups live: trusted runs only).
 */
export async function downloadBackup(
  source: ArtifactSource,
  context: DownloadContext
): Promise<DownloadedBackup> {
  const located = namesAnotherRun(source)
    ? await inAnotherRun(source, context)
    : await inThisRun(source, context)
  const dir = await makeRestoreDir(context.run.tempDir ?? tmpdir())
  log.info(logText`Downloading ${located.description}.`)
  const zipDir = join(dir, '.artifact')
  let response
  try {
    // The zip is kept whole and taken apart here, not by the client: only the manifest and the pack come
    // out, each capped (a zip bomb stops at the size it declares).
    response = await context.client.downloadArtifact(located.id, {
      path: zipDir,
      skipDecompress: true,
      ...(located.digest ? { expectedHash: withPrefix(located.digest) } : {}),
      ...(located.findBy ? { findBy: located.findBy } : {})
    })
  } catch (error) {
    throw new LicenseBackupError(
      'IO_ERROR',
      `Downloading ${located.description} failed: ${messageOf(error)}`,
      {
        cause: error
      }
    )
  }
  if (response.digestMismatch) {
    throw new LicenseBackupError(
      'BACKUP_CORRUPT',
      `Artifact "${source.name}" (ID ${located.id}) does not match the digest recorded at upload: it was changed or damaged in transit. Nothing was restored.`
    )
  }
  const [zip] = await readdir(zipDir)
  if (zip === undefined)
    throw new LicenseBackupError('IO_ERROR', `Artifact "${source.name}" downloaded as nothing.`)
  await extractBackup(join(zipDir, zip), dir, source.name)
  await rm(zipDir, { recursive: true, force: true })
  return { dir, description: located.description }
}

function namesAnotherRun(source: ArtifactSource): boolean {
  return source.runId !== undefined || source.artifactId !== undefined || source.workflow !== undefined
}

async function inThisRun(source: ArtifactSource, context: DownloadContext): Promise<Located> {
  try {
    const { artifact } = await context.client.getArtifact(source.name)
    return {
      id: artifact.id,
      ...(artifact.digest ? { digest: artifact.digest } : {}),
      description: `artifact "${source.name}" (ID ${artifact.id}) of this run`
    }
  } catch (error) {
    if (isNotFound(error)) {
      throw new ConfigError(
        `artifact "${source.name}" was not found in this run: check \`from-artifact.name\`, that the backup job uploaded it, and that it has not expired.`,
        source.at
      )
    }
    throw new LicenseBackupError(
      'IO_ERROR',
      `Looking up artifact "${source.name}" in this run failed: ${messageOf(error)}`,
      {
        cause: error
      }
    )
  }
}

async function inAnotherRun(source: ArtifactSource, context: DownloadContext): Promise<Located> {
  if (!context.token) {
    throw new ConfigError(
      'downloading an artifact of another run needs the `github-token` input (a token with `actions: read`).',
      source.at
    )
  }
  const repository = source.repository ?? context.run.repository
  const { artifact, run } = await selectArtifact(source, {
    api: { apiUrl: context.run.apiUrl, token: context.token, fetch: context.fetch },
    repository,
    ...(context.run.eventPath ? { eventPath: context.run.eventPath } : {}),
    now: context.now
  })
  const [owner = '', name = ''] = repository.split('/')
  return {
    id: artifact.id,
    ...(artifact.digest ? { digest: artifact.digest } : {}),
    findBy: { token: context.token, workflowRunId: run.id, repositoryOwner: owner, repositoryName: name },
    description: `artifact "${artifact.name}" (ID ${artifact.id}) of ${describeRun(run)} in ${repository}`
  }
}

/** The download compares `sha256:<hex>`; the service may record the bare hex. */
function withPrefix(digest: string): string {
  return digest.startsWith('sha256:') ? digest : `sha256:${digest}`
}
