import { ConfigError } from './config-error.js'
import type { Location } from './config-error.js'
import { parseSteps } from './parse.js'
import type { ParsedSteps } from './parse.js'
import type {
  ArtifactSource,
  ArtifactUpload,
  BackupStep,
  EnvRef,
  ReleaseStep,
  RenewStep,
  RestoreStep,
  Step,
  BackupTrustConfig,
  VerifyStep,
  StepsConfig,
  StoreConfig
} from './types.js'
import type { RestrictedPolicy } from './types.js'
import { validateSteps } from './validate.js'
import { toRegistryPush, toRegistrySource } from './registry.js'
import {
  checkRecipients as checkEngineRecipients,
  compileGlob,
  InputFileError,
  MIN_LEASE_SECONDS,
  readInputFile
} from '../../engine/index.js'

export interface StepsSource {
  /** Path of the steps file (the `config` input). */
  config: string
  /** The steps YAML given inline (the `steps` input); wins over `config` when not empty. */
  inline: string
  /** What the inline steps are called in messages; default "the `steps` input". */
  inlineName?: string
  /** Where `path-env` variables are read (ADR 0071). Default: the process's environment. */
  env?: NodeJS.ProcessEnv
}

/** Reads, parses, validates and types the steps file. Every error is a ConfigError with a place. */
export async function loadSteps(from: StepsSource): Promise<StepsConfig> {
  const parsed = await readSteps(from)
  validateSteps(parsed)
  checkPatterns(parsed)
  await checkRecipients(parsed)
  return toStepsConfig(parsed, from.env ?? process.env)
}

async function readSteps(from: StepsSource): Promise<ParsedSteps> {
  if (from.inline.trim() !== '') return parseSteps(from.inline, from.inlineName ?? 'the `steps` input')
  let text: string
  try {
    text = await readInputFile(from.config)
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error
    const fix =
      error.code === 'ENOENT'
        ? 'create it or set the `config` input to its path (or give the steps inline with `steps`)'
        : 'set the `config` input to the path of a regular file (or give the steps inline with `steps`)'
    throw new ConfigError(`Steps file ${from.config} ${error.reason}: ${fix}.`)
  }
  return parseSteps(text, from.config, from.config)
}

type Json = Record<string, unknown>

function toStepsConfig(parsed: ParsedSteps, env: NodeJS.ProcessEnv): StepsConfig {
  const root = parsed.data as Json
  const serviceJson = root['service'] as Json | undefined
  const trust = toTrust(parsed, root, serviceJson)
  const topStore: Partial<StoreConfig> = {
    ...(typeof root['store'] === 'string' ? { store: root['store'] } : {}),
    ...(typeof root['pattern'] === 'string' ? { pattern: root['pattern'] } : {}),
    ...(typeof root['catalog'] === 'string' ? { catalog: root['catalog'] } : {}),
    ...(trust ? { trust } : {})
  }
  const steps = (root['steps'] as Json[]).map((item, i): Step => {
    const kind = Object.keys(item)[0] as Step['kind']
    const path = ['steps', i, kind]
    const body = (item[kind] ?? {}) as Json
    const at = parsed.locate(path)
    if (kind === 'verify') return toVerify(parsed, path, body, root, topStore, i + 1, at)
    const store = storeOf(topStore, body, at, kind)
    if (kind === 'release' || kind === 'renew')
      return toSlotStep(kind, parsed, path, body, store, serviceJson, i + 1, at)
    const folder = folderPath(parsed, path, body, env)
    if (kind === 'backup') return toBackup(parsed, path, body, store, folder ?? '', i + 1, at)
    return { ...toRestore(parsed, path, body, store, folder, serviceJson, i + 1, at), ...trustOf(root, body) }
  })
  return { source: parsed.source, steps }
}

function toTrust(parsed: ParsedSteps, root: Json, service: Json | undefined): StoreConfig['trust'] {
  const trust = root['trust'] as Json | undefined
  if (!trust) return undefined
  if (typeof trust['jwks'] === 'string') return { jwksFile: trust['jwks'] }
  if (typeof trust['jwks-url'] === 'string') return { jwksUrl: trust['jwks-url'] }
  if (!service) {
    throw new ConfigError(
      "`trust: { service: true }` uses the license service's keys, but there is no `service` with a `url`: add one or use `jwks`.",
      parsed.locate(['trust', 'service'])
    )
  }
  return { serviceUrl: String(service['url']) }
}

function storeOf(top: Partial<StoreConfig>, body: Json, at: Location, kind: string): StoreConfig {
  const store = typeof body['store'] === 'string' ? body['store'] : top.store
  if (store === undefined) {
    throw new ConfigError(
      `this ${kind} step has no store: set \`store\` at the top of the file or in the step.`,
      at
    )
  }
  const pattern = typeof body['pattern'] === 'string' ? body['pattern'] : top.pattern
  return {
    store,
    ...(pattern === undefined ? {} : { pattern }),
    ...(top.catalog === undefined ? {} : { catalog: top.catalog }),
    ...(top.trust === undefined ? {} : { trust: top.trust }),
    ...(body['roll-back-interrupted'] === true ? { rollBackInterrupted: true } : {})
  }
}

/**
 * The step's folder: `path` as written, or the value of the variable `path-env` names (ADR 0071), so a
 * path typed into a workflow_dispatch menu is never YAML. The schema allows one of the two.
 */
function folderPath(
  parsed: ParsedSteps,
  path: (string | number)[],
  body: Json,
  env: NodeJS.ProcessEnv
): string | undefined {
  if (typeof body['path'] === 'string') return body['path']
  const ref = envRef(parsed, [...path, 'path-env'], body['path-env'])
  if (!ref) return undefined
  const value = env[ref.name]
  if (value === undefined || value === '') {
    throw new ConfigError(
      `the environment variable ${ref.name} (named by \`path-env\`) is not set: set it in the workflow step's \`env:\`, e.g. \`${ref.name}: \${{ inputs.path }}\`.`,
      ref.at
    )
  }
  return value
}

function toBackup(
  parsed: ParsedSteps,
  path: (string | number)[],
  body: Json,
  store: StoreConfig,
  folder: string,
  index: number,
  at: Location
): BackupStep {
  const artifact = body['artifact'] as Json | undefined
  const registry = body['registry'] as Json | undefined
  const encryptTo = body['encrypt-to'] as string[] | undefined
  const sign = body['sign'] as Json | undefined
  const signKeyEnv = sign ? envRef(parsed, [...path, 'sign', 'key-env'], sign['key-env']) : undefined
  return {
    kind: 'backup',
    index,
    ...store,
    path: folder,
    overwrite: body['overwrite'] === true,
    onRestricted: (body['on-restricted'] as RestrictedPolicy | undefined) ?? 'warn',
    ...(encryptTo ? { encryptTo } : {}),
    ...(typeof body['compression'] === 'string'
      ? { compression: body['compression'] as 'gzip' | 'none' }
      : {}),
    ...(typeof body['format'] === 'string'
      ? { format: body['format'] as BackupStep['format'] & string }
      : {}),
    ...(signKeyEnv ? { signKeyEnv } : {}),
    ...(artifact ? { artifact: toUpload(parsed, [...path, 'artifact'], artifact) } : {}),
    ...(registry ? { registry: toRegistryPush(parsed, [...path, 'registry'], registry) } : {}),
    at
  }
}

function toUpload(parsed: ParsedSteps, path: (string | number)[], json: Json): ArtifactUpload {
  return {
    ...(typeof json['name'] === 'string' ? { name: json['name'] } : {}),
    ...(typeof json['retention-days'] === 'number' ? { retentionDays: json['retention-days'] } : {}),
    ...(typeof json['compression-level'] === 'number' ? { compressionLevel: json['compression-level'] } : {}),
    overwrite: json['overwrite'] === true,
    at: parsed.locate(path)
  }
}

function toRestore(
  parsed: ParsedSteps,
  path: (string | number)[],
  body: Json,
  store: StoreConfig,
  folder: string | undefined,
  service: Json | undefined,
  index: number,
  at: Location
): RestoreStep {
  const identityEnv = envRef(parsed, [...path, 'identity-env'], body['identity-env'])
  return {
    kind: 'restore',
    index,
    ...store,
    ...(folder === undefined ? {} : { path: folder }),
    ...backupSource(parsed, path, body),
    individualize: body['individualize'] === true,
    ...(identityEnv ? { identityEnv } : {}),
    ...slotSettings(parsed, path, body, service, at, 'restore'),
    onRefused: body['on-refused'] === 'skip' ? 'skip' : 'fail',
    releaseOnExit: body['release-on-exit'] === true,
    ...leaseOf(parsed, path, body),
    at
  }
}

/** `from-artifact` or `from-registry`, as restore and verify steps name where the backup comes from. */
function backupSource(
  parsed: ParsedSteps,
  path: (string | number)[],
  body: Json
): Pick<RestoreStep, 'fromArtifact' | 'fromRegistry'> {
  const artifact = body['from-artifact'] as Json | undefined
  const registry = body['from-registry'] as Json | undefined
  if (artifact) return { fromArtifact: toSource(parsed, [...path, 'from-artifact'], artifact) }
  if (registry) return { fromRegistry: toRegistrySource(parsed, [...path, 'from-registry'], registry) }
  return {}
}

function toVerify(
  parsed: ParsedSteps,
  path: (string | number)[],
  body: Json,
  root: Json,
  top: Partial<StoreConfig>,
  index: number,
  at: Location
): VerifyStep {
  const identityEnv = envRef(parsed, [...path, 'identity-env'], body['identity-env'])
  return {
    kind: 'verify',
    index,
    ...(typeof body['path'] === 'string' ? { path: body['path'] } : {}),
    ...backupSource(parsed, path, body),
    ...(identityEnv ? { identityEnv } : {}),
    ...(top.catalog === undefined ? {} : { catalog: top.catalog }),
    ...(top.trust === undefined ? {} : { trust: top.trust }),
    ...trustOf(root, body),
    at
  }
}

/** `signers` (top level) and `max-age` (the step's, else the top level's). */
function trustOf(root: Json, body: Json): BackupTrustConfig {
  const maxAge = (body['max-age'] ?? root['max-age']) as string | undefined
  return {
    ...(typeof root['signers'] === 'string' ? { signers: root['signers'] } : {}),
    ...(maxAge === undefined ? {} : { maxAgeMs: maxAgeMs(maxAge) })
  }
}

/** `7d` or `36h` (the schema checked the shape) in milliseconds. */
function maxAgeMs(text: string): number {
  const hours = text.endsWith('d') ? 24 : 1
  return Number(text.slice(0, -1)) * hours * 3_600_000
}

/** A release or renew step: its store, and the service settings (a renewal's `lease` too). */
function toSlotStep(
  kind: 'release' | 'renew',
  parsed: ParsedSteps,
  path: (string | number)[],
  body: Json,
  store: StoreConfig,
  service: Json | undefined,
  index: number,
  at: Location
): ReleaseStep | RenewStep {
  const settings = { index, ...store, ...slotSettings(parsed, path, body, service, at, kind), at }
  return kind === 'release' ? { kind, ...settings } : { kind, ...settings, ...leaseOf(parsed, path, body) }
}

const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** `lease` (`90s`, `30m`, `2h`, `7d`: the schema checked the shape) in seconds, at least a minute. */
function leaseOf(parsed: ParsedSteps, path: (string | number)[], body: Json): { leaseSeconds?: number } {
  const text = body['lease']
  if (typeof text !== 'string') return {}
  const seconds = Number(text.slice(0, -1)) * (SECONDS[text.slice(-1)] ?? 1)
  if (seconds < MIN_LEASE_SECONDS) {
    throw new ConfigError(
      `\`lease\` is ${text}: the license service grants a lease of at least a minute; give \`60s\` or more.`,
      parsed.locate([...path, 'lease'])
    )
  }
  return { leaseSeconds: seconds }
}

/** What restore and release steps share: the service, `include` and `machine-key-env`. */
function slotSettings(
  parsed: ParsedSteps,
  path: (string | number)[],
  body: Json,
  service: Json | undefined,
  at: Location,
  kind: string
): Pick<ReleaseStep, 'service' | 'include' | 'machineKeyEnv'> {
  if (!service) {
    throw new ConfigError(
      `a ${kind} step goes through the license service: add \`service: { url: …, token-env: … }\` at the top of the file.`,
      at
    )
  }
  const tokenEnv = envRef(parsed, ['service', 'token-env'], service['token-env'])
  const machineKeyEnv = envRef(parsed, [...path, 'machine-key-env'], body['machine-key-env'])
  const include = body['include'] as string[] | undefined
  return {
    service: { url: String(service['url']), ...(tokenEnv ? { tokenEnv } : {}) },
    ...(include ? { include } : {}),
    ...(machineKeyEnv ? { machineKeyEnv } : {})
  }
}

function toSource(parsed: ParsedSteps, path: (string | number)[], json: Json): ArtifactSource {
  return {
    name: String(json['name']),
    ...(typeof json['run-id'] === 'number' ? { runId: json['run-id'] } : {}),
    ...(typeof json['artifact-id'] === 'number' ? { artifactId: json['artifact-id'] } : {}),
    ...(json['workflow'] === undefined ? {} : { workflow: String(json['workflow']) }),
    ...(typeof json['branch'] === 'string' ? { branch: json['branch'] } : {}),
    ...(Array.isArray(json['events']) ? { events: json['events'].map(String) } : {}),
    allowForks: json['allow-forks'] === true,
    ...(typeof json['repository'] === 'string' ? { repository: json['repository'] } : {}),
    at: parsed.locate(path)
  }
}

function envRef(parsed: ParsedSteps, path: (string | number)[], value: unknown): EnvRef | undefined {
  if (typeof value !== 'string') return undefined
  return { name: value, at: parsed.locate(path) }
}

/**
 * The schema checks a recipient's shape; the engine's check also decodes it (bech32 checksum), so a
 * mistyped character is caught here, on its line, and not at backup time.
 */
async function checkRecipients(parsed: ParsedSteps): Promise<void> {
  const steps = (parsed.data as Json)['steps'] as Json[]
  const lists = steps.map(
    step => (step['backup'] as Json | undefined)?.['encrypt-to'] as string[] | undefined
  )
  for (const [i, list] of lists.entries()) {
    for (const [j, recipient] of (list ?? []).entries()) {
      try {
        await checkEngineRecipients([recipient])
      } catch {
        throw new ConfigError(
          `\`encrypt-to\` entry ${recipient} is not a valid age recipient (its checksum does not match): copy it again from \`age-keygen -y\`.`,
          parsed.locate(['steps', i, 'backup', 'encrypt-to', j])
        )
      }
    }
  }
}

/** Store patterns are compiled as the engine will, so unsupported glob syntax is caught on its line. */
function checkPatterns(parsed: ParsedSteps): void {
  const root = parsed.data as Json
  const steps = root['steps'] as Json[]
  const places: Array<(string | number)[]> = [['pattern']]
  steps.forEach((step, i) => {
    for (const kind of Object.keys(step)) places.push(['steps', i, kind, 'pattern'])
  })
  for (const path of places) {
    const pattern = path.reduce<unknown>(
      (value, key) => (value as Record<string | number, unknown> | undefined)?.[key],
      root
    )
    if (typeof pattern !== 'string') continue
    try {
      compileGlob(pattern)
    } catch (error) {
      throw new ConfigError((error as Error).message, parsed.locate(path))
    }
  }
}
