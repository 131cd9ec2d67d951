// The package as an operator gets it (issue 26, ADR 0202): `npm pack` builds it, the tarball installs into
// an empty folder without dev dependencies, and the installed `license-server` answers --help, migrates a
// new SQLite file and serves /healthz on Node alone, with no TypeScript, esbuild or test tool installed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { SCHEMA_VERSION } from '../src/storage/migrations.js'

const PACKAGE = resolve('packages/license-server')
/** Node 24, the one running the tests, first on PATH: the bin's `#!/usr/bin/env node` finds it. */
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` }
const WINDOWS = process.platform === 'win32'

/** npm as the test run was started with it (`npm test` sets npm_execpath), else the one on PATH. */
function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const cli = process.env['npm_execpath']
  const [command, argv] = cli?.endsWith('.js') ? [process.execPath, [cli, ...args]] : ['npm', args]
  const run = spawnSync(command, argv, { cwd, env: ENV, encoding: 'utf8', shell: WINDOWS && !cli })
  if (run.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${run.status}):\n${run.stderr}`)
  return run
}

describe('the license-server package, packed and installed', () => {
  let dir: string
  let app: string
  let bin: string
  const run = (...args: string[]): SpawnSyncReturns<string> =>
    spawnSync(bin, args, { cwd: dir, env: ENV, encoding: 'utf8', shell: WINDOWS })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'license-server-pack-'))
    const packed = npm(['pack', '--json', '--pack-destination', dir], PACKAGE)
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }]
    // An empty folder of its own, so npm installs there and not into a package above it.
    app = join(dir, 'app')
    await mkdir(app)
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'operator', private: true }))
    npm(['install', join(dir, filename), '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], app)
    bin = join(app, 'node_modules', '.bin', WINDOWS ? 'license-server.cmd' : 'license-server')
  }, 240_000)

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('holds the built command and its notices, not the sources, and depends on pg alone', async () => {
    const installed = join(app, 'node_modules', '@license-backup', 'license-server')
    expect(readdirSync(installed).sort()).toEqual(['CHANGELOG.md', 'README.md', 'dist', 'package.json'])
    expect(readdirSync(join(installed, 'dist')).sort()).toEqual(['license-server.js', 'licenses.txt'])
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
    }
    expect(Object.keys(manifest.dependencies)).toEqual(['pg'])
  })

  it('installs no TypeScript, esbuild or test tool', () => {
    const modules = join(app, 'node_modules')
    const dev = ['typescript', 'esbuild', '@esbuild', 'ts-jest', 'jest', 'tsx', '@license-backup/protocol']
    expect(dev.filter(name => existsSync(join(modules, name)))).toEqual([])
    expect(existsSync(join(modules, 'pg'))).toBe(true)
  })

  it('prints its usage with --help', () => {
    const help = run('--help')
    expect(help.stderr).toBe('')
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('usage: license-server <command>')
  })

  it('migrates a new SQLite file', () => {
    const database = join(dir, 'migrated.db')
    const migrated = run('migrate', '--database', database)
    expect(migrated.status).toBe(0)
    expect(JSON.parse(migrated.stdout)).toEqual({ database: `SQLite ${database}`, schema: SCHEMA_VERSION })
  })

  it('serves /healthz on loopback, and stops on SIGTERM', async () => {
    const keys = join(dir, 'keys.json')
    expect(run('key', 'generate', '--signing-keys', keys).status).toBe(0)
    const child = spawn(
      bin,
      ['serve', '--signing-keys', keys, '--database', join(dir, 'served.db'), '--port', '0'],
      { cwd: dir, env: ENV, stdio: ['ignore', 'pipe', 'inherit'], shell: WINDOWS }
    )
    const exited = once(child, 'exit') as Promise<[number | null]>
    try {
      const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string]
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const health = await fetch(`${url}/healthz`)
      expect(health.status).toBe(200)
    } finally {
      child.kill('SIGTERM')
    }
    if (!WINDOWS) expect((await exited)[0]).toBe(0)
  })
})
