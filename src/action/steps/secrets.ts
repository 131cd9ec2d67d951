import { isLicenseBackupError, parseSigningKey } from '../../engine/index.js'
import { ConfigError } from './config-error.js'
import type { BackupStep, EnvRef, RegistryLogin, Step } from './types.js'

/**
 * What a host does with each secret as it is read, before anything could print it: the action registers
 * it with the runner's masking; the command line, which prints no secret, does nothing.
 */
export interface SecretSink {
  secret(value: string): void
  /** A machine key (a JWK on one line), after `secret`: its private member may be printed alone. */
  machineKey(value: string): void
  /** How to set an unset variable, in the host's words. */
  howToSet(name: string): string
}

export interface StepSecrets {
  token?: string
  /** The age identity (`identity-env`). */
  ageIdentity?: string
  /** The token or password for the step's registry (`registry` or `from-registry`). */
  registryToken?: string
  /** The OpenSSH private key's text, with where it came from for the engine's errors. */
  signingKey?: { key: string; source: string }
  /** The machine key (`machine-key-env`), as given: the engine reads it. */
  machineKey?: string
}

/**
 * Reads the secrets the steps name (service token, age identity, registry token, signing key, machine key) from the
 * environment and hands each to the host's sink before anything could print it. Only the steps
 * that will run need theirs set; an unset one is an error naming the variable and the line that names it.
 */
export function readSecrets(steps: Step[], env: NodeJS.ProcessEnv, sink: SecretSink): Map<Step, StepSecrets> {
  const resolved = new Map<Step, StepSecrets>()
  for (const step of steps) {
    if (step.kind === 'backup') {
      const registryToken = registrySecret(step.registry, 'registry', env, sink)
      resolved.set(step, {
        ...(registryToken === undefined ? {} : { registryToken }),
        ...(step.signKeyEnv ? { signingKey: signingKey(step, step.signKeyEnv, env, sink) } : {})
      })
      continue
    }
    if (step.kind === 'verify') {
      const registryToken = registrySecret(step.fromRegistry, 'from-registry', env, sink)
      resolved.set(step, {
        ...(registryToken === undefined ? {} : { registryToken }),
        ...(step.identityEnv ? { ageIdentity: identityOf(step.identityEnv, env, sink) } : {})
      })
      continue
    }
    const registryToken =
      step.kind === 'restore' ? registrySecret(step.fromRegistry, 'from-registry', env, sink) : undefined
    const secrets: StepSecrets = registryToken === undefined ? {} : { registryToken }
    if (!step.service.tokenEnv) {
      throw new ConfigError(
        `a ${step.kind} step needs the service token: add \`token-env: <VARIABLE>\` to \`service\` and set that variable from a secret.`,
        step.at
      )
    }
    secrets.token = read(step.service.tokenEnv, env, 'service.token-env', sink)
    if (step.machineKeyEnv) {
      secrets.machineKey = read(step.machineKeyEnv, env, 'machine-key-env', sink)
      sink.machineKey(secrets.machineKey)
    }
    if (step.kind === 'restore' && step.identityEnv)
      secrets.ageIdentity = identityOf(step.identityEnv, env, sink)
    resolved.set(step, secrets)
  }
  return resolved
}

function registrySecret(
  login: RegistryLogin | undefined,
  key: string,
  env: NodeJS.ProcessEnv,
  sink: SecretSink
): string | undefined {
  if (!login?.tokenEnv) return undefined
  return read(login.tokenEnv, env, `${key}.token-env`, sink)
}

function identityOf(ref: EnvRef, env: NodeJS.ProcessEnv, sink: SecretSink): string {
  const value = read(ref, env, 'identity-env', sink)
  return ageIdentity(value, ref)
}

/** The signing key, checked now so a bad one fails on its line before any step runs (never shown). */
function signingKey(
  step: BackupStep,
  ref: EnvRef,
  env: NodeJS.ProcessEnv,
  sink: SecretSink
): { key: string; source: string } {
  const key = read(ref, env, 'sign.key-env', sink)
  const source = `the environment variable ${ref.name} (named by \`sign.key-env\`)`
  try {
    parseSigningKey(key, source)
  } catch (error) {
    if (isLicenseBackupError(error)) throw new ConfigError(error, ref.at)
    throw error
  }
  if (step.format === 'license-backup/v1') {
    throw new ConfigError('`sign` needs format license-backup/v2: a v1 backup cannot be signed.', ref.at)
  }
  return { key, source }
}

function read(ref: EnvRef, env: NodeJS.ProcessEnv, key: string, sink: SecretSink): string {
  const value = env[ref.name]
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(
      `the environment variable ${ref.name} (named by \`${key}\`) is not set: ${sink.howToSet(ref.name)}.`,
      ref.at
    )
  }
  sink.secret(value)
  return value
}

/** Accepts the key itself or a whole `age-keygen` file (comments and the key line). */
function ageIdentity(value: string, ref: EnvRef): string {
  const key = value
    .split(/\r?\n/)
    .map(line => line.trim())
    .find(line => line.startsWith('AGE-SECRET-KEY-1'))
  if (!key) {
    throw new ConfigError(
      `the environment variable ${ref.name} (named by \`identity-env\`) holds no age identity: it must contain a line starting with AGE-SECRET-KEY-1, as written by \`age-keygen\`.`,
      ref.at
    )
  }
  return key
}
