// The storage engines a service suite runs on, with the PostgreSQL cluster's start and stop as hooks.
import { afterAll, beforeAll } from '@jest/globals'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postgresAvailable, startPostgres, type Postgres } from '../../src/fixtures/postgres-cluster.js'
/**
 * The storage engines a suite runs on, as `describe.each` rows [name, new database]: SQLite (a temp file)
 * always, PostgreSQL (a throwaway cluster started before the file's tests, stopped after) when installed.
 */
export function storageEngines(prefix: string): Array<[string, () => Promise<string>]> {
  const withPostgres = postgresAvailable()
  let cluster: Postgres | undefined
  let databases = 0
  beforeAll(async () => {
    if (withPostgres) cluster = await startPostgres()
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })
  const sqlite: [string, () => Promise<string>] = [
    'SQLite',
    async () => join(await mkdtemp(join(tmpdir(), `lb-${prefix}-`)), 'service.db')
  ]
  if (!withPostgres) return [sqlite]
  return [sqlite, ['PostgreSQL', () => (cluster as Postgres).database(`${prefix}_${++databases}`)]]
}
