import * as core from '@actions/core'
import { ConfigError } from './steps/config-error.js'
import { RESTRICTED_POLICIES } from './steps/types.js'
import type { RestrictedPolicy, Step } from './steps/types.js'

const STEP_KINDS: readonly Step['kind'][] = ['backup', 'restore', 'verify', 'release', 'renew']

export interface ActionInputs {
  config: string
  steps: string
  /** Run only the steps of this kind; undefined runs all. */
  only?: Step['kind']
  /** Overrides every backup step's `on-restricted`. */
  onRestricted?: RestrictedPolicy
  githubToken: string
}

/** Reads and checks the action's inputs; a bad value is a CONFIG_INVALID error naming the input. */
export function readActionInputs(): ActionInputs {
  const only = core.getInput('only')
  if (only !== '' && !(STEP_KINDS as readonly string[]).includes(only)) {
    throw new ConfigError(
      `The \`only\` input is ${JSON.stringify(only)}: it must be \`backup\`, \`restore\`, \`verify\`, \`release\`, \`renew\`, or empty to run every step.`
    )
  }
  const onRestricted = core.getInput('on-restricted')
  if (onRestricted !== '' && !(RESTRICTED_POLICIES as readonly string[]).includes(onRestricted)) {
    throw new ConfigError(
      `The \`on-restricted\` input is ${JSON.stringify(onRestricted)}: it must be one of ${RESTRICTED_POLICIES.map(p => `\`${p}\``).join(', ')}, or empty to use each step's setting.`
    )
  }
  return {
    config: core.getInput('config') || '.github/license-backup.yml',
    steps: core.getInput('steps'),
    ...(only === '' ? {} : { only: only as Step['kind'] }),
    ...(onRestricted === '' ? {} : { onRestricted: onRestricted as RestrictedPolicy }),
    githubToken: core.getInput('github-token')
  }
}
