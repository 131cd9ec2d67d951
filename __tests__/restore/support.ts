import { createHash } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBackupRestorer } from '../../src/engine/index.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore, type StoreShape } from '../../src/fixtures/store.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { registerSecret } from '../support/secret-scan.js'

export const TOKEN = 'restore-test-token-7f3a9c'
registerSecret(TOKEN)

export interface World {
  root: string
  issuer: Issuer
  source: GeneratedStore
  jwksFile: string
  server: LicenseServer
  close(): Promise<void>
}

/**
 * A store of `count` licenses on machine A (`shape` overrides the store generator's mix), its issuer's
 * JWKS, and the reference service on loopback.
 */
export async function world(count = 30, seed = 7, shape: Partial<StoreShape> = {}): Promise<World> {
  const root = await mkdtemp(join(tmpdir(), 'lb-restore-'))
  const issuer = createIssuer({ kid: 'restore-issuer' })
  const source = await generateStore(join(root, 'machine-a'), issuer, {
    count,
    seed,
    catalogFile: join(root, 'catalog.csv'),
    ...shape
  })
  const jwksFile = join(root, 'issuer.jwks.json')
  const { writeFile } = await import('node:fs/promises')
  await writeFile(jwksFile, JSON.stringify(issuer.jwks()))
  const server = await createLicenseServer({
    issuer,
    database: join(root, 'server-state.db'),
    tokens: [TOKEN]
  })
  return {
    root,
    issuer,
    source,
    jwksFile,
    server,
    close: async () => {
      await server.close()
      await rm(root, { recursive: true, force: true })
    }
  }
}

export type BackedUpWorld = World & { backupPath: string }

/** A world whose machine A is backed up (default format, its issuer's JWKS trusted) into `<root>/backup`. */
export async function backedUpWorld(
  count?: number,
  seed?: number,
  shape: Partial<StoreShape> = {}
): Promise<BackedUpWorld> {
  const at = await world(count, seed, shape)
  const backupPath = join(at.root, 'backup')
  await createBackupRestorer().backup({
    store: at.source.dir,
    path: backupPath,
    trust: { jwksFile: at.jwksFile }
  })
  return { ...at, backupPath }
}

export function engine(): { events: EngineEvent[]; engine: ReturnType<typeof createBackupRestorer> } {
  const events: EngineEvent[] = []
  return { events, engine: createBackupRestorer(event => events.push(event)) }
}

/** Every file under a folder with its SHA-256, to prove a store is byte-for-byte unchanged. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  let entries
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true })
  } catch {
    return out
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const full = join(entry.parentPath, entry.name)
    out[full.slice(dir.length + 1)] = createHash('sha256')
      .update(await readFile(full))
      .digest('hex')
  }
  return out
}

/** The status events of docs/events.md, without detail, progress, the opened backup and its one warning that it is unsigned. */
export function types(events: EngineEvent[]): string[] {
  return events
    .filter(e => e.type !== 'LICENSE' && e.type !== 'PROGRESS' && e.type !== 'BACKUP_OPENED')
    .filter(e => !(e.type === 'WARNING' && /not authenticated/.test(e.message)))
    .map(e => e.type)
}
