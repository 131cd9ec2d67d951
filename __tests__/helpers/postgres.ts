// A throwaway PostgreSQL cluster for the tests: initdb in a temp folder, postgres on 127.0.0.1 on a free
// port, stopped (and the folder removed) at the end. As root it runs as an unprivileged user, because
// PostgreSQL refuses to run as root. When PostgreSQL is not installed the tests that need it skip with a
// loud message, unless LICENSE_SERVER_REQUIRE_POSTGRES=1 (what .ci/run sets): then they fail.
import { afterAll, beforeAll } from '@jest/globals'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, realpathSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import pg from 'pg'

export interface Postgres {
  /** A new empty database on the cluster, as a `postgres://` URL. */
  database(name: string): Promise<string>
  stop(): Promise<void>
}

/** The folder holding initdb and postgres, or undefined when PostgreSQL is not installed. */
export function postgresBin(): string | undefined {
  const fromEnv = process.env['PG_BIN']
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    const initdb = join(dir, 'initdb')
    if (existsSync(initdb)) return dirname(realpathSync(initdb))
  }
  const debian = '/usr/lib/postgresql'
  if (!existsSync(debian)) return undefined
  const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a))
  return versions.map(v => join(debian, v, 'bin')).find(bin => existsSync(join(bin, 'initdb')))
}

/** Whether the PostgreSQL tests run here; says loudly why not. */
export function postgresAvailable(): boolean {
  if (postgresBin()) return true
  const message = 'PostgreSQL is not installed (no initdb on PATH, in PG_BIN or /usr/lib/postgresql)'
  if (process.env['LICENSE_SERVER_REQUIRE_POSTGRES'] === '1') throw new Error(`${message}; CI requires it.`)
  console.warn(
    `\n*** SKIPPING the PostgreSQL tests: ${message}. Install the Debian package "postgresql". ***\n`
  )
  return false
}

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin()
  if (!bin) throw new Error('PostgreSQL is not installed')
  const dir = await mkdtemp(join(tmpdir(), 'lb-pg-'))
  const user = runAs()
  if (user) await chown(dir, user.uid, user.gid)
  const data = join(dir, 'data')
  const init = spawnSync(
    user ? 'setpriv' : join(bin, 'initdb'),
    [
      ...(user ? [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', join(bin, 'initdb')] : []),
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '-E',
      'UTF8'
    ],
    { encoding: 'utf8' }
  )
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`)
  const port = await freePort()
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200'
  ]
  const server: ChildProcess = user
    ? spawn(
        'setpriv',
        [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', join(bin, 'postgres'), ...args],
        {
          stdio: 'ignore'
        }
      )
    : spawn(join(bin, 'postgres'), args, { stdio: 'ignore' })
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`
  await waitFor(admin)
  return {
    database: async name => {
      const client = new pg.Client({ connectionString: admin })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE "${name}"`)
      } finally {
        await client.end()
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`
    },
    stop: async () => {
      const exited = new Promise(resolve => server.once('exit', resolve))
      server.kill('SIGINT') // fast shutdown
      await exited
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** As root: the `postgres` user if there is one, else `nobody`. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined
  for (const name of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' })
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' })
    if (id.status === 0 && gid.status === 0)
      return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) }
  }
  throw new Error('Running as root and there is neither a postgres nor a nobody user to run PostgreSQL as.')
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

async function waitFor(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.end()
      return
    } catch {
      await client.end().catch(() => undefined)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }
  throw new Error(`PostgreSQL did not start at ${url}`)
}

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
