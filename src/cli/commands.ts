import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './usage.js'

type Flags = ParseArgsConfig['options'] & object
type Values = Record<string, string | boolean | string[] | undefined>

const STORE: Flags = {
  store: { type: 'string' },
  pattern: { type: 'string' },
  'trust-jwks': { type: 'string' },
  'roll-back-interrupted': { type: 'boolean' }
}
const SERVICE: Flags = {
  service: { type: 'string' },
  'token-env': { type: 'string' },
  'machine-key-env': { type: 'string' },
  include: { type: 'string', multiple: true }
}
export const REGISTRY_LOGIN: Flags = {
  'registry-username': { type: 'string' },
  'registry-token-env': { type: 'string' }
}
const BACKUP_TRUST: Flags = {
  signers: { type: 'string' },
  'max-age': { type: 'string' },
  'identity-env': { type: 'string' }
}

/** Each one-step command's flags: the steps file's keys of that step, spelled as flags (ADR 0200). */
export const STEP_FLAGS = {
  backup: {
    ...STORE,
    path: { type: 'string' },
    overwrite: { type: 'boolean' },
    'on-restricted': { type: 'string' },
    'encrypt-to': { type: 'string', multiple: true },
    compression: { type: 'string' },
    format: { type: 'string' },
    'sign-key-env': { type: 'string' },
    ...REGISTRY_LOGIN,
    registry: { type: 'string' },
    tag: { type: 'string', multiple: true }
  },
  restore: {
    ...STORE,
    ...SERVICE,
    ...BACKUP_TRUST,
    ...REGISTRY_LOGIN,
    path: { type: 'string' },
    'from-registry': { type: 'string' },
    individualize: { type: 'boolean' },
    'on-refused': { type: 'string' },
    lease: { type: 'string' }
  },
  verify: {
    ...BACKUP_TRUST,
    ...REGISTRY_LOGIN,
    path: { type: 'string' },
    'from-registry': { type: 'string' },
    'trust-jwks': { type: 'string' }
  },
  release: { ...STORE, ...SERVICE },
  renew: { ...STORE, ...SERVICE, lease: { type: 'string' } }
} satisfies Record<string, Flags>

export type StepCommand = keyof typeof STEP_FLAGS

export function isStepCommand(name: string): name is StepCommand {
  return Object.hasOwn(STEP_FLAGS, name)
}

/** Flags every command takes. */
export const COMMON: Flags = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }

/** Parses `args` against `options`; a mistake is a UsageError naming the flag. */
export function parseFlags(
  command: string,
  args: string[],
  options: Flags,
  positionals = 0
): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: positionals > 0 })
    if (parsed.positionals.length > positionals) {
      throw new UsageError(`${command} takes ${positionals} argument(s), not ${parsed.positionals.length}.`)
    }
    return { values: parsed.values as Values, positionals: parsed.positionals }
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`${command}: ${(error as Error).message}`)
  }
}

// Flags whose value goes into the step as it is, under the same key.
const STEP_KEYS = [
  'path',
  'overwrite',
  'on-restricted',
  'encrypt-to',
  'compression',
  'format',
  'individualize',
  'identity-env',
  'on-refused',
  'lease',
  'include',
  'machine-key-env',
  'max-age',
  'roll-back-interrupted',
  'store',
  'pattern'
]

/**
 * The steps document a one-step command stands for: its flags in the steps file's shape, so the same
 * loader checks them with the same messages (naming the flag's key) as a steps file.
 */
export function stepsDocument(command: StepCommand, values: Values): object {
  const step: Record<string, unknown> = {}
  for (const key of STEP_KEYS) if (values[key] !== undefined) step[key] = values[key]
  if (typeof values['sign-key-env'] === 'string') step['sign'] = { 'key-env': values['sign-key-env'] }
  if (typeof values['registry'] === 'string') {
    step['registry'] = { repository: values['registry'], ...registryLogin(values), ...tags(values) }
  }
  if (typeof values['from-registry'] === 'string') {
    step['from-registry'] = { reference: values['from-registry'], ...registryLogin(values) }
  }
  const top: Record<string, unknown> = {}
  if (typeof values['trust-jwks'] === 'string') top['trust'] = { jwks: values['trust-jwks'] }
  if (typeof values['signers'] === 'string') top['signers'] = values['signers']
  if (typeof values['service'] === 'string') {
    top['service'] = {
      url: values['service'],
      ...(typeof values['token-env'] === 'string' ? { 'token-env': values['token-env'] } : {})
    }
  }
  return { version: 1, ...top, steps: [{ [command]: step }] }
}

function registryLogin(values: Values): Record<string, string> {
  return {
    ...(typeof values['registry-username'] === 'string' ? { username: values['registry-username'] } : {}),
    ...(typeof values['registry-token-env'] === 'string' ? { 'token-env': values['registry-token-env'] } : {})
  }
}

function tags(values: Values): { tags?: string[] } {
  return Array.isArray(values['tag']) ? { tags: values['tag'] } : {}
}
