import * as core from '@actions/core'
import { readSecrets, type StepSecrets } from './steps/secrets.js'
import type { Step } from './steps/types.js'

export type { StepSecrets } from './steps/secrets.js'

/**
 * Reads the secrets the steps name from the environment (src/action/steps/secrets.ts) and registers each
 * with the runner's masking before anything could print it.
 */
export function resolveSecrets(steps: Step[], env: NodeJS.ProcessEnv): Map<Step, StepSecrets> {
  return readSecrets(steps, env, {
    secret: mask,
    machineKey: maskMachineKey,
    howToSet: name =>
      `set it from a secret in the workflow step's \`env:\`, e.g. \`${name}: \${{ secrets.${name} }}\``
  })
}

/**
 * Masks the value as set, trimmed (a secret pasted with a trailing newline is used and printed without
 * it), and each of its lines trimmed: the runner masks line by line.
 */
export function mask(value: string): void {
  const forms = new Set([value, value.trim(), ...value.split(/\r\n|\r|\n/).map(line => line.trim())])
  for (const form of forms) if (form !== '') core.setSecret(form)
}

/** A JWK is one line: its private member is masked on its own too, wherever it might be printed alone. */
export function maskMachineKey(value: string): void {
  mask(value)
  const d = /"d"\s*:\s*"([^"]+)"/.exec(value)?.[1]
  if (d) core.setSecret(d)
}
