import { describe, expect, it } from '@jest/globals'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createIssuer, saveIssuer } from '../../../src/fixtures/issuer.js'
import { runCli, UsageError, USAGE } from '../src/cli.js'
import { SCHEMA_VERSION } from '../src/storage/migrations.js'
import { call, license, machine, openSession, tempDir } from '../../../__tests__/support/service.js'
import { itOnPosix } from '../../../__tests__/support/platform.js'
import { startServerProcess } from '../../../src/fixtures/server-process.js'

/** Runs one command in this process, as the bin would; returns what it printed, parsed. */
async function cli(...argv: string[]): Promise<Record<string, unknown>> {
  const lines: string[] = []
  await runCli(argv, {}, line => lines.push(line))
  return JSON.parse(lines.join('\n')) as Record<string, unknown>
}

describe('license-server (the command)', () => {
  itOnPosix('on Windows a child killed with SIGTERM is terminated, never signalled')(
    'migrates, adds a tenant, issues a token, serves it, and revokes, lists and releases through the database',
    async () => {
      const dir = await tempDir()
      const database = join(dir, 'service.db')
      const issuer = createIssuer({ kid: 'cli-key' })
      await saveIssuer(issuer, join(dir, 'issuer.json'))
      // The bin itself, once: it runs the TypeScript source wherever it is started from.
      const migrate = spawn(
        process.execPath,
        [join(process.cwd(), 'scripts/license-server.mjs'), 'migrate', '--database', database],
        {
          cwd: dir,
          stdio: ['ignore', 'pipe', 'inherit']
        }
      )
      const migrated = createInterface({ input: migrate.stdout })
      const [first] = (await once(migrated, 'line')) as [string]
      expect(JSON.parse(first)).toEqual({ database: `SQLite ${database}`, schema: SCHEMA_VERSION })
      expect((await once(migrate, 'exit'))[0]).toBe(0)

      await cli('tenant', 'add', 'acme', '--licensee', 'alice', '--licensee', 'bob', '--database', database)
      const issued = await cli(
        'token',
        'issue',
        'acme',
        '--role',
        'restore',
        '--label',
        'ci',
        '--database',
        database
      )
      expect(issued).toMatchObject({ tenant: 'acme', role: 'restore' })
      const token = issued['token'] as string
      expect(token).toMatch(/^lbs_[A-Za-z0-9_-]{43}$/)
      await expect(cli('tenant', 'add', 'acme', '--database', database)).rejects.toThrow(UsageError)
      await expect(cli('token', 'issue', 'nobody', '--role', 'read', '--database', database)).rejects.toThrow(
        /There is no tenant nobody/
      )

      const child = spawn(
        process.execPath,
        [
          'scripts/license-server.mjs',
          'serve',
          '--signing-keys',
          join(dir, 'issuer.json'),
          '--database',
          database,
          '--port',
          '0'
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] }
      )
      const lines = createInterface({ input: child.stdout })
      const printed: string[] = []
      lines.on('line', line => printed.push(line))
      const [url] = (await once(lines, 'line')) as [string]
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const a = await machine(1)
      const session = await openSession(url, a, token)
      const lic = license(issuer, 'lic-cli', { sub: 'alice' })
      const restored = await call(url, 'POST', `/v1/sessions/${session}/restore`, {
        token,
        body: { licenses: [lic] },
        headers: { 'idempotency-key': 'k1' }
      })
      expect((restored.json as { results: Array<{ status: string }> }).results[0]?.status).toBe('restored')

      expect(await cli('machines', 'list', 'lic-cli', '--database', database)).toMatchObject({
        jti: 'lic-cli',
        machines: [{ id: a.id, original: false }]
      })
      expect(await cli('machine', 'release', 'lic-cli', a.id, '--database', database)).toEqual({
        jti: 'lic-cli',
        released: a.id
      })
      expect(await cli('machines', 'list', 'lic-cli', '--database', database)).toMatchObject({ machines: [] })
      await expect(cli('machine', 'release', 'lic-cli', a.id, '--database', database)).rejects.toThrow(
        /does not hold/
      )
      await cli('license', 'revoke', 'lic-cli', '--database', database)
      const again = await call(url, 'POST', `/v1/sessions/${session}/restore`, {
        token,
        body: { licenses: [lic] },
        headers: { 'idempotency-key': 'k2' }
      })
      expect((again.json as { results: Array<{ reason?: string }> }).results[0]?.reason).toBe('revoked')
      const trail = (await cli('audit', '--database', database))['entries'] as Array<{ action: string }>
      expect(trail.map(e => e.action)).toEqual(
        expect.arrayContaining([
          'tenant-add',
          'token-issue',
          'session-open',
          'restore',
          'machine-release',
          'revoke',
          'refuse'
        ])
      )

      // SIGTERM while a request is in flight: it is answered, new connections are refused, then exit 0.
      const body = JSON.stringify({ licenses: [license(issuer, 'lic-late', { sub: 'bob' })] })
      const answer = new Promise<number>((resolve, reject) => {
        const req = request(`${url}/v1/sessions/${session}/restore`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'idempotency-key': 'late'
          }
        })
        req.on('response', res => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on('error', reject)
        req.write(body.slice(0, 10))
        setTimeout(() => {
          child.kill('SIGTERM')
          setTimeout(() => req.end(body.slice(10)), 300)
        }, 100)
      })
      expect(await answer).toBe(200)
      const [code] = (await once(child, 'exit')) as [number]
      expect(code).toBe(0)
      await expect(fetch(`${url}/healthz`)).rejects.toThrow()

      // One JSON line per request: method, route, status, time, tenant; no token, no license bytes.
      const logged = printed.slice(1).map(line => JSON.parse(line) as Record<string, unknown>)
      expect(logged.length).toBeGreaterThanOrEqual(4)
      for (const entry of logged) {
        expect(Object.keys(entry).sort()).toEqual(['at', 'method', 'ms', 'route', 'status', 'tenant'])
      }
      expect(logged.map(e => e['route'])).toContain('/v1/sessions/{id}/restore')
      const text = printed.slice(1).join('\n')
      expect(text).not.toContain(token)
      expect(text).not.toContain(lic.split('.')[1])
      expect(text).not.toContain(session)
    }
  )

  it('quickstart: makes a signing key file (0600) and a tenant, prints a working restore token', async () => {
    const dir = await tempDir()
    const lines: string[] = []
    const stop = await runCli(
      [
        'serve',
        '--quickstart',
        '--port',
        '0',
        '--database',
        join(dir, 'q.db'),
        '--signing-keys',
        join(dir, 'keys.json')
      ],
      {},
      line => lines.push(line)
    )
    try {
      const url = lines[0] as string
      const token = /restore token .*: (lbs_\S+)$/.exec(lines[1] ?? '')?.[1] as string
      expect(token).toBeDefined()
      const session = await openSession(url, await machine(2), token)
      expect(session).toMatch(/^[A-Za-z0-9_-]+$/)
      expect((await stat(join(dir, 'keys.json'))).mode & 0o777).toBe(0o600)
    } finally {
      await stop?.()
    }
  })

  it('policy set and show: a tenant’s and a license’s overrides, "default" clearing one; --lease serves the default lease', async () => {
    const dir = await tempDir()
    const database = join(dir, 'policy.db')
    await cli('tenant', 'add', 'acme', '--any-licensee', '--database', database)
    expect(
      await cli(
        'policy',
        'set',
        '--tenant',
        'acme',
        '--lease',
        '7d',
        '--release',
        'immediate',
        '--database',
        database
      )
    ).toEqual({ tenant: 'acme', lease_seconds: 7 * 86_400, release: 'immediate' })
    expect(
      await cli(
        'policy',
        'set',
        '--tenant',
        'acme',
        '--release',
        'default',
        '--limit',
        '2',
        '--database',
        database
      )
    ).toEqual({
      tenant: 'acme',
      lease_seconds: 7 * 86_400,
      restore_limit: 2
    })
    expect(await cli('policy', 'show', '--license', 'L1', '--database', database)).toEqual({ license: 'L1' })
    expect(await cli('policy', 'set', '--license', 'L1', '--lease', '2h', '--database', database)).toEqual({
      license: 'L1',
      lease_seconds: 7200
    })
    expect(await cli('policy', 'show', '--tenant', 'acme', '--database', database)).toMatchObject({
      restore_limit: 2
    })
    const refused = (argv: string[], why: RegExp) =>
      expect(runCli([...argv, '--database', database], {}, () => undefined)).rejects.toThrow(why)
    await refused(
      ['policy', 'set', '--tenant', 'acme', '--lease', '30s'],
      /--lease 30s is not a duration of at least 60s/
    )
    await refused(
      ['policy', 'set', '--tenant', 'acme', '--release', 'never'],
      /--release never is not one of at-lease-end, immediate/
    )
    await refused(
      ['policy', 'set', '--tenant', 'acme', '--license', 'L1', '--limit', '2'],
      /give --tenant <name> or --license <jti>/
    )
    await refused(['policy', 'set', '--tenant', 'acme'], /give --lease, --release or --limit/)
    await refused(['policy', 'show', '--tenant', 'nobody'], /There is no tenant nobody/)

    const issuer = createIssuer()
    await saveIssuer(issuer, join(dir, 'issuer.json'))
    await refused(
      ['serve', '--signing-keys', join(dir, 'issuer.json'), '--lease', '1w'],
      /--lease 1w is not a duration/
    )
    const lines: string[] = []
    const stop = await runCli(
      [
        'serve',
        '--port',
        '0',
        '--database',
        database,
        '--signing-keys',
        join(dir, 'issuer.json'),
        '--lease',
        '3h'
      ],
      {},
      line => lines.push(line)
    )
    try {
      const url = lines[0] as string
      const token = (
        (await cli('token', 'issue', 'acme', '--role', 'restore', '--database', database)) as {
          token: string
        }
      ).token
      const session = await openSession(url, await machine(3), token)
      const restored = await call(url, 'POST', `/v1/sessions/${session}/restore`, {
        token,
        body: { licenses: [license(issuer, 'L1'), license(issuer, 'L2')] },
        headers: { 'idempotency-key': 'k' }
      })
      const exps = (restored.json as { results: Array<{ license: string }> }).results.map(
        r => JSON.parse(Buffer.from(r.license.split('.')[1] as string, 'base64url').toString()).exp as number
      )
      const now = Date.now() / 1000
      // L1 under its own 2-hour override; L2 under its tenant's 7 days, which wins over --lease.
      expect(exps[0]).toBeCloseTo(now + 7200, -2)
      expect(exps[1]).toBeCloseTo(now + 7 * 86_400, -2)
    } finally {
      await stop?.()
    }
    // Without the tenant's override, --lease is the longest lease.
    await cli('policy', 'set', '--tenant', 'acme', '--lease', 'default', '--database', database)
    const again: string[] = []
    const stop2 = await runCli(
      [
        'serve',
        '--port',
        '0',
        '--database',
        database,
        '--signing-keys',
        join(dir, 'issuer.json'),
        '--lease',
        '3h'
      ],
      {},
      line => again.push(line)
    )
    try {
      const url = again[0] as string
      const token = (
        (await cli('token', 'issue', 'acme', '--role', 'restore', '--database', database)) as {
          token: string
        }
      ).token
      const session = await openSession(url, await machine(4), token)
      const restored = await call(url, 'POST', `/v1/sessions/${session}/restore`, {
        token,
        body: { licenses: [license(issuer, 'L2')] },
        headers: { 'idempotency-key': 'k' }
      })
      const lease = (restored.json as { results: Array<{ lease_expires: string }> }).results[0]
        ?.lease_expires as string
      expect(Date.parse(lease) / 1000).toBeCloseTo(Date.now() / 1000 + 3 * 3600, -2)
    } finally {
      await stop2?.()
    }
  })

  it('npm run server keeps its issuer key and database in a folder git ignores, which quickstart makes', async () => {
    const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts['server'] as string
    const files = ['--signing-keys', '--database'].map(
      option => new RegExp(`${option} (\\S+)`).exec(script)?.[1]
    )
    expect(files).toEqual([
      expect.stringMatching(/^\.license-server\//),
      expect.stringMatching(/^\.license-server\//)
    ])
    for (const file of files as string[]) execFileSync('git', ['check-ignore', '--quiet', '--no-index', file])

    const dir = await tempDir()
    const folder = join(dir, '.license-server')
    const stop = await runCli(
      [
        'serve',
        '--quickstart',
        '--port',
        '0',
        '--signing-keys',
        join(folder, 'keys.json'),
        '--database',
        join(folder, 'license-server.db')
      ],
      {},
      () => undefined
    )
    await stop?.()
    expect(readdirSync(folder).sort()).toEqual(['keys.json', 'license-server.db'])
  })

  it('three services started at the same moment from the sources all serve (no start reads a half-written build)', async () => {
    const dir = await tempDir()
    const issuerFile = join(dir, 'issuer.json')
    await saveIssuer(createIssuer(), issuerFile)
    const started = await Promise.allSettled(
      [1, 2, 3].map(n => startServerProcess({ issuerFile, database: join(dir, `service-${n}.db`) }))
    )
    const servers = started.flatMap(s => (s.status === 'fulfilled' ? [s.value] : []))
    try {
      expect(started.filter(s => s.status === 'rejected')).toEqual([])
      for (const server of servers)
        expect((await call(server.url, 'GET', '/healthz', { token: null })).status).toBe(200)
    } finally {
      await Promise.all(servers.map(server => server.stop()))
    }
  })

  it('writes nothing for help or an unknown command (`tenant` without `add` too)', async () => {
    const dir = await tempDir()
    const run = (...argv: string[]): { status: number | null; stdout: string; stderr: string } => {
      const child = spawnSync(
        process.execPath,
        [join(process.cwd(), 'scripts/license-server.mjs'), ...argv],
        {
          cwd: dir,
          encoding: 'utf8'
        }
      )
      return { status: child.status, stdout: child.stdout, stderr: child.stderr }
    }
    expect(run('help')).toMatchObject({ status: 0, stdout: expect.stringContaining('usage: license-server') })
    expect(run('frobnicate').stderr).toContain('Unknown command "frobnicate"')
    expect(run('tenant').stderr).toContain('Unknown command "tenant"')
    expect(readdirSync(dir)).toEqual([])
  })

  it('every flag and command of --help is in docs/service.md', async () => {
    const guide = await readFile('docs/service.md', 'utf8')
    const flags = new Set(USAGE.match(/--[a-z][a-z-]+/g))
    expect(flags.size).toBeGreaterThan(20)
    expect([...flags].filter(flag => !new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(guide))).toEqual([])
    const commands = USAGE.split('\n').flatMap(line => /^ {2}([a-z]+(?: [a-z]+)?)\b/.exec(line)?.[1] ?? [])
    expect(commands.filter(command => !guide.includes(`\`${command}`))).toEqual([])
  })

  it('says what is wrong with a command line', async () => {
    await expect(runCli(['serve', '--database', ':memory:'], {}, () => undefined)).rejects.toThrow(
      /give --signing-keys <file>.*key generate/
    )
    await expect(runCli(['serve', '--issuer', 'old.json'], {}, () => undefined)).rejects.toThrow(
      /--issuer is now --signing-keys/
    )
    await expect(runCli(['frobnicate', '--database', ':memory:'], {}, () => undefined)).rejects.toThrow(
      /Unknown command "frobnicate"/
    )
    await expect(
      runCli(['token', 'issue', 'x', '--database', ':memory:'], {}, () => undefined)
    ).rejects.toThrow(/--role/)
    const unknown = runCli(['audit', '--frobnicate'], {}, () => undefined)
    await expect(unknown).rejects.toBeInstanceOf(UsageError)
    await expect(unknown).rejects.toThrow(/Unknown option '--frobnicate'/)
    const help: string[] = []
    await runCli(['--help'], {}, line => help.push(line))
    expect(help.join('\n')).toMatch(/machine release <jti> <machine-id>/)
  })
})
