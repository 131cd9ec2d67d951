import { readFile } from 'node:fs/promises'
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
  RestoreStep,
  Step,
  StepsConfig,
  StoreConfig
} from './types.js'
import type { RestrictedPolicy } from './types.js'
import { validateSteps } from './validate.js'
import { checkRecipients as checkEngineRecipients } from '../../engine/format/age.js'

export interface StepsSource {
  /** Path of the steps file (the `config` input). */
  config: string
  /** The steps YAML given inline (the `steps` input); wins over `config` when not empty. */
  inline: string
}

/** Reads, parses, validates and types the steps file. Every error is a ConfigError with a place. */
export async function loadSteps(from: StepsSource): Promise<StepsConfig> {
  const parsed = await readSteps(from)
  validateSteps(parsed)
  await checkRecipients(parsed)
  return toStepsConfig(parsed)
}

async function readSteps(from: StepsSource): Promise<ParsedSteps> {
  if (from.inline.trim() !== '') return parseSteps(from.inline, 'the `steps` input')
  let text: string
  try {
    text = await readFile(from.config, 'utf8')
  } catch {
    throw new ConfigError(
      `Steps file ${from.config} not found: create it or set the \`config\` input to its path (or give the steps inline with \`steps\`).`
    )
  }
  return parseSteps(text, from.config, from.config)
}

type Json = Record<string, unknown>

function toStepsConfig(parsed: ParsedSteps): StepsConfig {
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
    const store = storeOf(topStore, body, at, kind)
    if (kind === 'backup') return toBackup(parsed, path, body, store, i + 1, at)
    if (kind === 'release') return toRelease(parsed, path, body, store, serviceJson, i + 1, at)
    return toRestore(parsed, path, body, store, serviceJson, i + 1, at)
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
    ...(top.trust === undefined ? {} : { trust: top.trust })
  }
}

function toBackup(
  parsed: ParsedSteps,
  path: (string | number)[],
  body: Json,
  store: StoreConfig,
  index: number,
  at: Location
): BackupStep {
  const artifact = body['artifact'] as Json | undefined
  const encryptTo = body['encrypt-to'] as string[] | undefined
  return {
    kind: 'backup',
    index,
    ...store,
    path: String(body['path']),
    overwrite: body['overwrite'] === true,
    onRestricted: (body['on-restricted'] as RestrictedPolicy | undefined) ?? 'warn',
    ...(encryptTo ? { encryptTo } : {}),
    ...(artifact ? { artifact: toUpload(parsed, [...path, 'artifact'], artifact) } : {}),
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
  service: Json | undefined,
  index: number,
  at: Location
): RestoreStep {
  const from = body['from-artifact'] as Json | undefined
  const identityEnv = envRef(parsed, [...path, 'identity-env'], body['identity-env'])
  return {
    kind: 'restore',
    index,
    ...store,
    ...(typeof body['path'] === 'string' ? { path: body['path'] } : {}),
    ...(from ? { fromArtifact: toSource(parsed, [...path, 'from-artifact'], from) } : {}),
    individualize: body['individualize'] === true,
    ...(identityEnv ? { identityEnv } : {}),
    ...slotSettings(parsed, path, body, service, at, 'restore'),
    onRefused: body['on-refused'] === 'skip' ? 'skip' : 'fail',
    releaseOnExit: body['release-on-exit'] === true,
    at
  }
}

function toRelease(
  parsed: ParsedSteps,
  path: (string | number)[],
  body: Json,
  store: StoreConfig,
  service: Json | undefined,
  index: number,
  at: Location
): ReleaseStep {
  return { kind: 'release', index, ...store, ...slotSettings(parsed, path, body, service, at, 'release'), at }
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
    ...(json['workflow'] === undefined ? {} : { workflow: String(json['workflow']) }),
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
