import { rm } from 'node:fs/promises'
import { LicenseBackupError } from '../engine/index.js'
import { parseReference, RegistryReferenceError } from '../action/registry/reference.js'
import { pullFromRegistry } from '../action/registry/steps.js'
import type { RegistrySource } from '../action/steps/types.js'
import { inspect } from './inspect.js'
import { registryContext, type CliRun } from './run.js'

/** `inspect oci://REF`: the backup pulled into a private temporary folder, summarised, and removed. */
export async function inspectPulled(
  reference: string,
  login: { username?: string; tokenEnv?: string },
  context: Pick<CliRun, 'signal' | 'out' | 'now' | 'env'>
): Promise<void> {
  const at = { source: 'the inspect command', line: 1, column: 1 }
  const source: RegistrySource = {
    reference: parsed(reference),
    ...(login.username === undefined ? {} : { username: login.username }),
    ...(login.tokenEnv === undefined ? {} : { tokenEnv: { name: login.tokenEnv, at } }),
    at
  }
  const token = login.tokenEnv === undefined ? undefined : tokenOf(login.tokenEnv, context.env)
  const pulled = await pullFromRegistry(source, token, registryContext(context))
  try {
    await inspect(pulled.folder, context.out, context.now(), `oci://${reference}`)
  } finally {
    await rm(pulled.folder, { recursive: true, force: true })
  }
}

function parsed(reference: string): RegistrySource['reference'] {
  try {
    return parseReference(reference)
  } catch (error) {
    if (!(error instanceof RegistryReferenceError)) throw error
    throw new LicenseBackupError('CONFIG_INVALID', `inspect oci://${reference}: ${error.message}`)
  }
}

function tokenOf(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name]
  if (value === undefined || value.trim() === '') {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      `the environment variable ${name} (named by --registry-token-env) is not set: export it before running license-backup.`
    )
  }
  return value
}
