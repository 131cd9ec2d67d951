// Jest's globalSetup and globalTeardown: a folder, named to the workers in LICENSE_BACKUP_SKIP_NOTES, where
// each "Skipped …" line is noted once, so that a tool missing for several test files is said once a run
// (src/fixtures/tools.ts); removed at the end.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const VARIABLE = 'LICENSE_BACKUP_SKIP_NOTES'

export function setup() {
  process.env[VARIABLE] = mkdtempSync(join(tmpdir(), 'lb-skip-notes-'))
}

export function teardown() {
  const dir = process.env[VARIABLE]
  if (dir) rmSync(dir, { recursive: true, force: true })
}
