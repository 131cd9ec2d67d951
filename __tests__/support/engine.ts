import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import type { EngineEvent } from '../../src/engine/events.js'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'

export const exec = promisify(execFile)

/** Temp folders made by a test file; `cleanup` removes them all. */
export function tempDirs(): { make(label?: string): Promise<string>; cleanup(): Promise<void> } {
  const made: string[] = []
  return {
    make: async (label = 'lb-') => {
      const dir = await mkdtemp(join(tmpdir(), label))
      made.push(dir)
      return dir
    },
    cleanup: async () => {
      await Promise.all(made.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
    }
  }
}

export const issuer: Issuer = createIssuer({ kid: 'test-key-1' })

export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    jti: 'lic-1',
    key_id: '6f1c0000aaaabbbbccccddddeeeeffff',
    iss: issuer.iss,
    iat: 1_767_225_600,
    rights: { play: true, backup: true },
    ...overrides
  }
}

/** Writes one license file (signed by `issuer` unless `text` is given) into the store. */
export async function putLicense(
  store: string,
  path: string,
  content: Record<string, unknown> | string
): Promise<string> {
  const text = typeof content === 'string' ? content : issuer.sign(content)
  const file = join(store, path)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
  return text
}

export async function writeJwks(dir: string, keys = issuer.jwks()): Promise<string> {
  const file = join(dir, 'issuer.jwks.json')
  await writeFile(file, JSON.stringify(keys))
  return file
}

/** Collects events; `types()` gives their types in order. */
export function recorder(onEvent?: (event: EngineEvent) => void): {
  events: EngineEvent[]
  listener: (event: EngineEvent) => void
  types(): string[]
} {
  const events: EngineEvent[] = []
  return {
    events,
    listener: event => {
      events.push(event)
      onEvent?.(event)
    },
    types: () => events.map(event => event.type)
  }
}

/** Every entry under `dir`, recursively, as sorted relative paths. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true })
  return entries.map(entry => entry.split('\\').join('/')).sort()
}
