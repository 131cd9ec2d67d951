import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { serversClosedAfterEach, tempDir, TOKEN } from '../support/service.js'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { buildCommand, runFile, type Ran } from './built.js'

// The command as users run it: built by the project's build into a folder of its own, run by Node alone.
let root: string
let command: string
let issuer: Issuer
let store: GeneratedStore
let jwks: string

/** Runs the built `license-backup` with `args`, in `cwd`, with `env` added to a bare environment. */
function cli(args: string[], env: Record<string, string> = {}, cwd = root): Promise<Ran> {
  return runFile(process.execPath, [command, ...args], cwd, env)
}

beforeAll(async () => {
  root = await tempDir('lb-cli-')
  command = await buildCommand(join(root, 'build'))
  issuer = createIssuer({ kid: 'cli-test' })
  store = await generateStore(join(root, 'store'), issuer, {
    count: 12,
    boundShare: 0,
    expiredShare: 0,
    restrictedShare: 0.2
  })
  jwks = join(root, 'issuer.jwks.json')
  await writeFile(jwks, JSON.stringify(issuer.jwks()))
}, 120_000)

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const services = serversClosedAfterEach()

describe('license-backup, built and run as a child process', () => {
  it('prints its help and exits 0', async () => {
    const ran = await cli(['--help'])
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/^license-backup: back up/)
    expect(ran.stdout).toContain('license-backup run [--config FILE]')
  })

  it('exits 2 on a usage error, naming what was wrong', async () => {
    const unknown = await cli(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('frobnicate is not a command')
    const flag = await cli(['backup', '--store', 'x', '--no-such-flag'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain("Unknown option '--no-such-flag'")
    // A value the steps file's schema refuses is CONFIG_INVALID, named by its flag.
    const value = await cli(['backup', '--store', 'x', '--path', 'y', '--compression', 'zip'])
    expect(value.code).toBe(EXIT_CODES.CONFIG_INVALID)
    expect(value.stderr).toContain(
      "the backup command's flags: `--compression` must be one of `gzip`, `none`"
    )
    const service = await cli(['restore', '--store', 'x', '--path', 'y'])
    expect(service.stderr).toContain('add `--service URL --token-env VAR`')
    const only = await cli(['run', '--only', 'nothing'])
    expect(only.code).toBe(2)
  })

  it('backs a store up and verifies the backup, from flags', async () => {
    const path = join(root, 'backup-flags')
    const backup = await cli(['backup', '--store', store.dir, '--path', path, '--trust-jwks', jwks])
    expect(backup.stderr).toBe('')
    expect(backup.code).toBe(0)
    const kept = store.licenses.filter(l => !l.restricted).length
    expect(backup.stdout).toContain('BEGIN operation=backup')
    expect(backup.stdout).toContain(`Backed up ${kept} license(s) to ${path}`)
    expect(backup.stdout).toMatch(/RESTRICTED_LICENSE keyId=\S+ licenseId=\S+/)
    expect(backup.stdout).toMatch(/END operation=backup\n/)

    const verify = await cli(['verify', '--path', path, '--trust-jwks', jwks])
    expect(verify.code).toBe(0)
    expect(verify.stdout).toContain(
      `Verified ${kept} license(s) in the license-backup/v2.1 backup, every signature checked`
    )

    const again = await cli(['backup', '--store', store.dir, '--path', path])
    expect(again.code).toBe(EXIT_CODES.BACKUP_EXISTS)
    expect(again.stderr).toMatch(/\[BACKUP_EXISTS\]\n$/)
  })

  it('runs a steps file with --json: every stdout line is one JSON event', async () => {
    const config = join(root, 'steps.yml')
    await writeFile(
      config,
      `version: 1\nstore: ${store.dir}\ntrust: { jwks: ${jwks} }\nsteps:\n  - backup: { path: ${join(root, 'backup-json')} }\n  - verify: { path: ${join(root, 'backup-json')} }\n`
    )
    const ran = await cli(['run', '--config', config, '--json'])
    expect(ran.code).toBe(0)
    const lines = ran.stdout
      .trimEnd()
      .split('\n')
      .map(line => JSON.parse(line) as Record<string, unknown>)
    expect(lines.map(l => l['type'])).toEqual(
      expect.arrayContaining(['BEGIN', 'END', 'RESULT', 'BACKUP_OPENED'])
    )
    expect(lines.filter(l => l['type'] === 'RESULT').map(l => l['operation'])).toEqual(['backup', 'verify'])

    const verifyOnly = await cli(['run', '--config', config, '--only', 'verify', '--json'])
    expect(verifyOnly.code).toBe(0)
    expect(verifyOnly.stdout).not.toContain('"operation":"backup"')
  })

  it('refuses a steps file that names a GitHub artifact, before anything runs', async () => {
    const config = join(root, 'artifact.yml')
    const path = join(root, 'backup-artifact')
    await writeFile(
      config,
      `version: 1\nstore: ${store.dir}\nsteps:\n  - backup:\n      path: ${path}\n      artifact: { name: licenses }\n`
    )
    const ran = await cli(['run', '--config', config])
    expect(ran.code).toBe(EXIT_CODES.CONFIG_INVALID)
    expect(ran.stderr).toContain(
      `${config}:6:17: this backup step names a GitHub artifact (\`artifact\`): artifacts are the GitHub Action's alone`
    )
    expect(ran.stderr).toContain('give the backup folder as `path`')
    await expect(readdir(path)).rejects.toThrow(/ENOENT/)
  })

  it('restores into an empty store through the real reference service', async () => {
    const { server } = await services.start({ issuer })
    const path = join(root, 'backup-restore')
    expect((await cli(['backup', '--store', store.dir, '--path', path])).code).toBe(0)
    const target = join(root, 'restored')
    const args = [
      'restore',
      '--store',
      target,
      '--path',
      path,
      '--service',
      server.url,
      '--token-env',
      'LMS_TOKEN'
    ]
    const missing = await cli([...args, '--individualize'])
    expect(missing.code).toBe(EXIT_CODES.CONFIG_INVALID)
    expect(missing.stderr).toContain(
      'the environment variable LMS_TOKEN (named by `service.token-env`) is not set: export LMS_TOKEN'
    )

    const ran = await cli([...args, '--individualize', '--trust-jwks', jwks], { LMS_TOKEN: TOKEN })
    expect(ran.stderr).toBe('')
    expect(ran.code).toBe(0)
    const kept = store.licenses.filter(l => !l.restricted)
    expect(ran.stdout).toContain(`CONNECTING url=${server.url}`)
    expect(ran.stdout).toContain(`Restored ${kept.length} license(s) into ${target}`)
    expect(ran.stdout).not.toContain(TOKEN)
    const restored = await readFile(join(target, kept[0]!.path), 'utf8')
    expect(restored.split('.')).toHaveLength(3)
  })

  it('prints a backup manifest summary with inspect, restoring nothing', async () => {
    const path = join(root, 'backup-inspect')
    expect((await cli(['backup', '--store', store.dir, '--path', path])).code).toBe(0)
    const ran = await cli(['inspect', path])
    expect(ran.code).toBe(0)
    const kept = store.licenses.filter(l => !l.restricted).length
    expect(ran.stdout).toContain('format: license-backup/v2.1\n')
    expect(ran.stdout).toMatch(/created: \d{4}-\d\d-\d\dT.* \(\d+s ago\)/)
    expect(ran.stdout).toContain(`licenses: ${kept}, restricted: ${store.licenses.length - kept}`)
    expect(ran.stdout).toContain('signature: none')
    const json = await cli(['inspect', path, '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({
      type: 'BACKUP',
      licenses: kept,
      format: 'license-backup/v2.1'
    })
    const none = await cli(['inspect', join(root, 'no-such-backup')])
    expect(none.code).toBe(EXIT_CODES.CONFIG_INVALID)
  })

  it('lets no escape sequence of outside text reach the terminal', async () => {
    const path = join(root, 'evil\u001b[2J\u001b]0;owned\u0007')
    const ran = await cli(['backup', '--store', store.dir, '--path', path])
    expect(ran.code).toBe(0)
    for (const text of [ran.stdout, ran.stderr]) {
      // eslint-disable-next-line no-control-regex -- the point
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    }
    expect(ran.stdout).toContain('evil\\u001b[2J\\u001b]0;owned\\u0007')
  })
})
