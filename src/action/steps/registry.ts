import { ConfigError } from './config-error.js'
import type { ParsedSteps } from './parse.js'
import type { EnvRef, RegistryLogin, RegistryPush, RegistrySource } from './types.js'
import { parseReference, parseRepository, RegistryReferenceError } from '../registry/reference.js'

type Json = Record<string, unknown>
type Path = (string | number)[]

/** The `registry` of a backup step; a repository that cannot be used is an error on its line. */
export function toRegistryPush(parsed: ParsedSteps, path: Path, json: Json): RegistryPush {
  const repository = located(parsed, [...path, 'repository'], () =>
    parseRepository(String(json['repository']))
  )
  const keep = json['keep'] as Json | undefined
  return {
    repository,
    tags: (json['tags'] as string[] | undefined) ?? [],
    ...login(parsed, path, json),
    ...(keep
      ? {
          keep: {
            ...(typeof keep['last'] === 'number' ? { last: keep['last'] } : {}),
            ...(typeof keep['daily'] === 'number' ? { daily: keep['daily'] } : {}),
            ...(typeof keep['weekly'] === 'number' ? { weekly: keep['weekly'] } : {}),
            ...(typeof keep['monthly'] === 'number' ? { monthly: keep['monthly'] } : {}),
            dryRun: keep['dry-run'] === true
          }
        }
      : {}),
    at: parsed.locate(path)
  }
}

/** The `from-registry` of a restore step. */
export function toRegistrySource(parsed: ParsedSteps, path: Path, json: Json): RegistrySource {
  const reference = located(parsed, [...path, 'reference'], () => parseReference(String(json['reference'])))
  return { reference, ...login(parsed, path, json), at: parsed.locate(path) }
}

function login(parsed: ParsedSteps, path: Path, json: Json): RegistryLogin {
  const tokenEnv: EnvRef | undefined =
    typeof json['token-env'] === 'string'
      ? { name: json['token-env'], at: parsed.locate([...path, 'token-env']) }
      : undefined
  const realms = json['token-realms'] as string[] | undefined
  return {
    ...(typeof json['username'] === 'string' ? { username: json['username'] } : {}),
    ...(tokenEnv ? { tokenEnv } : {}),
    ...(realms ? { tokenRealms: realms.map(realm => new URL(realm).origin) } : {})
  }
}

function located<T>(parsed: ParsedSteps, path: Path, read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof RegistryReferenceError) throw new ConfigError(error.message, parsed.locate(path))
    throw error
  }
}
