import { afterEach, describe, expect, it } from '@jest/globals'
import { LicenseBackupError } from '../../src/engine/errors.js'
import { run } from '../../src/main.js'
import { fakeEngine } from './fake-engine.js'
import type { FakeScript } from './fake-engine.js'
import { sandbox, stepsFile } from './harness.js'
import type { RunSandbox } from './harness.js'
import { spawn } from 'node:child_process'
import { EventEmitter, once } from 'node:events'
import { itOnPosix } from '../support/platform.js'

const REPO = process.cwd()
let box: RunSandbox | undefined
afterEach(() => {
  box?.restore()
  box = undefined
})

const IDENTITY_FILE = '# created: 2026-01-01\n# public key: age1xyz\nAGE-SECRET-KEY-1QQQSECRETSECRET'

const RESTRICTED = [
  { keyId: '6f1c0a', licenseId: 'lic-blue', title: 'Blue Train' },
  { keyId: '9a2b7c', licenseId: 'lic-anon' }
]

const backupFile = (extra = '') => `version: 1
store: ./licenses
steps:
  - backup:
      path: ./backup
${extra}`

/** Runs the action on `yaml` with a fake engine; returns the sandbox, the engine and the exit code. */
async function runWith(
  yaml: string,
  script: FakeScript = {},
  inputs: Record<string, string> = {},
  env: Record<string, string> = {}
) {
  box = await sandbox({}, env)
  const config = await stepsFile(box.dir, yaml)
  for (const [name, value] of Object.entries({ config, ...inputs }))
    process.env[`INPUT_${name.toUpperCase()}`] = value
  const engine = fakeEngine({ root: box.dir, ...script })
  const clock = script.clock ?? { now: 1_000_000 }
  await run({ createEngine: engine.create, now: () => clock.now, signals: new EventEmitter() })
  return { box, engine, config, exitCode: process.exitCode, lines: box.lines() }
}

describe('run(): configuration errors', () => {
  it('annotates the steps file on the line and column of the error, once', async () => {
    const { lines, config, exitCode } = await runWith(backupFile('      overwrit: true\n'))
    expect(exitCode).toBe(1)
    const errors = lines.filter(l => l.startsWith('::error'))
    expect(errors).toEqual([
      `::error title=Invalid license-backup steps,file=${config},line=6,col=7::${config}:6:7: unknown key \`overwrit\` in \`steps.backup\`; allowed keys: path, path-env, store, pattern, overwrite, on-restricted, encrypt-to, compression, sign, format, artifact, registry, roll-back-interrupted.`
    ])
  })

  it('rejects `only: both`, naming the input', async () => {
    const { lines, exitCode } = await runWith(backupFile(), {}, { only: 'both' })
    expect(exitCode).toBe(1)
    expect(lines).toContain(
      '::error::The `only` input is "both": it must be `backup`, `restore`, `verify`, `release`, `renew`, or empty to run every step.'
    )
  })

  it('rejects an `on-restricted` input typo, naming the input', async () => {
    const { lines } = await runWith(backupFile(), {}, { 'on-restricted': 'warning' })
    expect(lines.join('\n')).toMatch(
      /::error::The `on-restricted` input is "warning": it must be one of `ignore`, `info`, `warn`, `error`/
    )
  })

  it('names an unset token variable and the line that names it, before running anything', async () => {
    const yaml = `version: 1
store: ./licenses
service:
  url: https://lms.example.com
  token-env: LMS_TOKEN_UNSET_FOR_TEST
steps:
  - restore: { path: ./backup }
`
    const { lines, engine, config } = await runWith(yaml)
    expect(engine.restores).toHaveLength(0)
    expect(lines.find(l => l.startsWith('::error'))).toContain(
      `file=${config},line=5,col=14::${config}:5:14: the environment variable LMS_TOKEN_UNSET_FOR_TEST (named by \`service.token-env\`) is not set`
    )
  })

  it('names an unset registry token variable of a backup step, before backing anything up', async () => {
    const yaml = `version: 1
store: ./licenses
steps:
  - backup:
      path: ./backup
      registry: { repository: ghcr.io/acme/lb, token-env: GHCR_TOKEN_UNSET_FOR_TEST }
`
    const { lines, engine, config } = await runWith(yaml, { licenses: 2 })
    expect(engine.backups).toHaveLength(0)
    expect(lines.find(l => l.startsWith('::error'))).toContain(
      `${config}:6:59: the environment variable GHCR_TOKEN_UNSET_FOR_TEST (named by \`registry.token-env\`) is not set`
    )
  })

  it('runs only the steps `only` names: an unset token of a skipped restore is no error', async () => {
    const yaml = `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN_UNSET_FOR_TEST }
steps:
  - backup: { path: ./backup }
  - restore: { path: ./backup }
`
    const { engine, exitCode } = await runWith(yaml, { licenses: 2 }, { only: 'backup' })
    expect(exitCode).toBe(0)
    expect(engine.backups).toHaveLength(1)
    expect(engine.restores).toHaveLength(0)
  })
})

describe('run(): secrets', () => {
  it('registers the token and identity with the runner before any other line', async () => {
    box = await sandbox({}, { LMS_TOKEN: 's3cr3t-token', AGE_ID: IDENTITY_FILE })
    const yaml = `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - restore:
      path: ${box.dir}/backup
      identity-env: AGE_ID
`
    process.env['INPUT_CONFIG'] = await stepsFile(box.dir, yaml)
    const engine = fakeEngine({})
    // The backup folder the restore reads: written by a backup of the same fake.
    await (await engine.create(() => undefined)).backup({ store: 'x', path: `${box.dir}/backup` })
    await run({ createEngine: engine.create, signals: new EventEmitter() })
    const lines = box.lines()
    const masks = lines.filter(l => l.startsWith('::add-mask::'))
    expect(masks).toEqual(
      expect.arrayContaining(['::add-mask::s3cr3t-token', '::add-mask::AGE-SECRET-KEY-1QQQSECRETSECRET'])
    )
    expect(lines.findIndex(l => !l.startsWith('::add-mask::'))).toBe(masks.length)
    expect(lines.slice(masks.length).join('\n')).not.toMatch(/s3cr3t-token|AGE-SECRET-KEY/)
    expect(engine.restores[0]).toMatchObject({
      service: { token: 's3cr3t-token' },
      ageIdentity: 'AGE-SECRET-KEY-1QQQSECRETSECRET'
    })
    expect(process.exitCode).toBe(0)
  })

  it('masks a padded secret as set and trimmed, and each line of it', async () => {
    box = await sandbox({}, { LMS_TOKEN: '  padded-token ', AGE_ID: `  ${IDENTITY_FILE}  \r\n` })
    const yaml = `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - restore: { path: ./backup, identity-env: AGE_ID }
`
    process.env['INPUT_CONFIG'] = await stepsFile(box.dir, yaml)
    await run({ createEngine: fakeEngine({ root: box.dir }).create, signals: new EventEmitter() })
    const masks = box.lines().filter(l => l.startsWith('::add-mask::'))
    expect(masks).toEqual(
      expect.arrayContaining([
        '::add-mask::  padded-token ',
        '::add-mask::padded-token',
        '::add-mask::AGE-SECRET-KEY-1QQQSECRETSECRET'
      ])
    )
  })

  it('refuses a steps file that sends the runtime token to a service, before any request', async () => {
    const yaml = `version: 1
store: ./licenses
service: { url: "http://127.0.0.1:9/collect", token-env: ACTIONS_RUNTIME_TOKEN }
steps:
  - restore: { path: ./backup }
`
    const { lines, engine, config, exitCode } = await runWith(yaml, {}, {}, { ACTIONS_RUNTIME_TOKEN: 'rt' })
    expect(exitCode).toBe(1)
    expect(engine.restores).toHaveLength(0)
    expect(lines.find(l => l.startsWith('::error'))).toContain(
      `file=${config},line=3,col=58::${config}:3:58: \`service.token-env\` must not name one of the runner's own variables`
    )
  })

  it('names an identity variable that holds no age identity, without printing it', async () => {
    const yaml = `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - restore:
      path: ./backup
      identity-env: AGE_ID
`
    const { lines } = await runWith(yaml, {}, {}, { LMS_TOKEN: 't', AGE_ID: 'not-a-key-value' })
    const error = lines.find(l => l.startsWith('::error')) ?? ''
    expect(error).toMatch(
      /line=7,col=21::.*the environment variable AGE_ID \(named by `identity-env`\) holds no age identity/
    )
    expect(error).not.toContain('not-a-key-value')
  })
})

describe('run(): restricted licenses per policy', () => {
  it('warn (the default): a warning per license with title and key ID, a generic line without a title', async () => {
    const { lines, exitCode } = await runWith(backupFile(), { licenses: 3, restricted: RESTRICTED })
    expect(exitCode).toBe(0)
    expect(lines).toContain(
      '::warning title=Restricted license (key ID 6f1c0a)::"Blue Train" (key ID 6f1c0a) cannot be backed up: its owner does not allow it'
    )
    expect(lines).toContain(
      '::warning title=Restricted license (key ID 9a2b7c)::A license (key ID 9a2b7c) cannot be backed up: its owner does not allow it'
    )
    expect(lines).toContain(
      '2 licenses cannot be backed up: their owners do not allow it (key IDs 6f1c0a, 9a2b7c)'
    )
    expect(lines.filter(l => l.startsWith('::group::'))).toEqual([
      '::group::Backup (step 1 of 1): ./licenses → ./backup'
    ])
    expect(lines).toContain('::endgroup::')
  })

  it('annotates at most 10 per step (what GitHub shows); the rest are plain lines, still with their key IDs', async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ keyId: `k${i}`, licenseId: `l${i}` }))
    const { lines } = await runWith(backupFile(), { restricted: many })
    expect(lines.filter(l => l.startsWith('::warning'))).toHaveLength(10)
    expect(lines).toContain('A license (key ID k11) cannot be backed up: its owner does not allow it')
  })

  it('info: notices', async () => {
    const { lines } = await runWith(backupFile('      on-restricted: info\n'), { restricted: RESTRICTED })
    expect(lines.filter(l => l.startsWith('::notice'))).toHaveLength(2)
    expect(lines.some(l => l.startsWith('::warning'))).toBe(false)
  })

  it('ignore: only counts', async () => {
    const { lines, box: b } = await runWith(backupFile('      on-restricted: ignore\n'), {
      restricted: RESTRICTED
    })
    expect(lines.some(l => /^::(warning|notice|error)/.test(l))).toBe(false)
    expect(lines).toContain('2 restricted license(s) left out of the backup (on-restricted: ignore).')
    expect((await b.outputs())['restricted']).toBe('2')
  })

  it('the on-restricted input overrides the step', async () => {
    const { lines } = await runWith(
      backupFile('      on-restricted: warn\n'),
      { restricted: RESTRICTED },
      { 'on-restricted': 'info' }
    )
    expect(lines.filter(l => l.startsWith('::notice'))).toHaveLength(2)
  })

  it('error: completes the backup, annotates each, then fails once listing every key ID; outputs and summary still written', async () => {
    const {
      lines,
      exitCode,
      engine,
      box: b
    } = await runWith(backupFile('      on-restricted: error\n'), {
      licenses: 5,
      restricted: RESTRICTED
    })
    expect(exitCode).toBe(1)
    expect(engine.backups).toHaveLength(1)
    const errors = lines.filter(l => l.startsWith('::error'))
    expect(errors.filter(l => l.startsWith('::error title=Restricted license'))).toHaveLength(2)
    const final = errors.filter(l => !l.startsWith('::error title=Restricted license'))
    expect(final).toEqual([
      '::error::2 licenses cannot be backed up: their owners do not allow it (key IDs 6f1c0a, 9a2b7c). The backup at ./backup is complete without them; the step fails because on-restricted is `error`.'
    ])
    const outputs = await b.outputs()
    expect(outputs).toMatchObject({
      'backed-up': '5',
      restored: '0',
      restricted: '2',
      'restricted-key-ids': '["6f1c0a","9a2b7c"]',
      'backup-path': './backup',
      'artifact-id': ''
    })
    const summary = await b.summary()
    expect(summary).toContain('<h3>Backup (step 1 of 1): ./licenses → ./backup</h3>')
    expect(summary).toContain('Blue Train (key ID <code>6f1c0a</code>)')
    expect(summary).toMatch(/failed: 2 licenses cannot be backed up/)
  })
})

describe('run(): log, outputs and summary', () => {
  it('logs each event, progress at most every 5 seconds, license detail in debug only', async () => {
    const clock = { now: 0 }
    const { lines } = await runWith(backupFile(), {
      licenses: 1,
      restricted: [RESTRICTED[0]!],
      progress: 12,
      progressStepMs: 1000,
      clock
    })
    expect(lines).toContain('Backup started.')
    expect(lines).toContain('Backup finished.')
    expect(lines.filter(l => l.startsWith('Backup: packing'))).toEqual([
      'Backup: packing 5 of 12 (41%)',
      'Backup: packing 10 of 12 (83%)'
    ])
    expect(lines).toContain('::debug::restricted: license lic-blue (key ID 6f1c0a) at lic-blue.jwt')
  })

  it('sets every output and writes a summary table on success', async () => {
    const { box: b, exitCode } = await runWith(backupFile(), { licenses: 4 })
    expect(exitCode).toBe(0)
    expect(await b.outputs()).toEqual({
      'backed-up': '4',
      restored: '0',
      'lease-expires': '',
      verified: '0',
      'pack-size': '1750',
      'bytes-per-license': '438',
      restricted: '0',
      'restricted-key-ids': '[]',
      'backup-path': './backup',
      'artifact-id': '',
      'artifact-url': '',
      'artifact-digest': '',
      'registry-digest': '',
      'registry-tags': '[]'
    })
    const summary = await b.summary()
    expect(summary).toContain('<h2>License backup</h2>')
    expect(summary).toMatch(/<tr><td>Licenses backed up<\/td><td>4<\/td><\/tr>/)
    expect(summary).toMatch(/<tr><td>Outcome<\/td><td>succeeded<\/td><\/tr>/)
  })

  it('counts a restore’s expired licenses and lists the refusals it left out, in the log and the summary', async () => {
    const yaml = `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - backup: { path: ./backup }
  - restore: { path: ./backup, on-refused: skip }
`
    const skipped = [{ jti: 'lic-7', key_id: 'k7', title: 'Red Sky', reason: 'restore-limit' }]
    const script = { licenses: 5, expired: 3, skipped }
    const { lines, exitCode, box: b } = await runWith(yaml, script, {}, { LMS_TOKEN: 't' })
    expect(exitCode).toBe(0)
    expect(lines).toContain(
      'Restored 5 license(s) into ./licenses for machine machine-1; 0 already there, 3 expired (not restored), 1 refused and skipped (on-refused: skip).'
    )
    expect(lines).toContain('Skipped license lic-7 (key ID k7): restore-limit')
    const summary = await b.summary()
    expect(summary).toMatch(/<tr><td>Expired \(not restored\)<\/td><td>3<\/td><\/tr>/)
    expect(summary).toContain('Red Sky (key ID <code>k7</code>, license <code>lic-7</code>):')
    // "Skipped" names only these refusals: the row says they were refused (ADR 0209).
    expect(summary).toMatch(/<tr><td>Refused, skipped<\/td><td>/)
  })

  it('reports an engine error with its code, and a refusal with its URL', async () => {
    const yaml = `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - restore: { path: ./backup }
`
    const refusal = { keyId: 'k9', licenseId: 'lic-9', url: 'https://lms.example.com/limit/lic-9' }
    const fail = new LicenseBackupError(
      'RESTORE_LIMIT',
      'The service refused 1 license: nothing was restored.'
    )
    const { lines, exitCode, box: b } = await runWith(yaml, { refusal, fail }, {}, { LMS_TOKEN: 't' })
    expect(exitCode).toBe(1)
    expect(lines).toContain('Connecting to the license service at https://lms.example.com.')
    expect(lines).toContain(
      '::error title=License refused [RESTORE_LIMIT]::This license is already on 4 machines (key ID k9, license lic-9). See https://lms.example.com/limit/lic-9'
    )
    expect(lines).toContain('::error::The service refused 1 license: nothing was restored. [RESTORE_LIMIT]')
    expect(await b.summary()).toContain('<a href="https://lms.example.com/limit/lic-9">details</a>')
  })
})

describe('run(): cancellation', () => {
  // A real signal, so a real process: Jest's sandboxed \`process\` does not receive the signal handlers.
  itOnPosix(
    'on Windows a child killed with SIGTERM is terminated, never signalled; cancel.test.ts covers the rule'
  )('SIGTERM aborts the engine and the run ends with a clear cancelled failure', async () => {
    box = await sandbox({})
    const config = await stepsFile(box.dir, backupFile())
    const child = spawn(process.execPath, ['scripts/run-ts.mjs', '__tests__/action/cancel-child.ts'], {
      cwd: REPO,
      env: { ...process.env, INPUT_CONFIG: config },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        if (stderr.includes('READY')) resolve()
      })
      child.on('exit', code =>
        reject(new Error(`child exited (${code}) before starting: ${stdout}${stderr}`))
      )
    })
    child.kill('SIGTERM')
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(code).toBe(1)
    expect(stdout).toContain('Received SIGTERM: cancelling; the step in progress will commit nothing.')
    expect(stdout).toContain('::error::Cancelled: The backup was cancelled; nothing was changed.')
    expect(await box.summary()).toMatch(/<td>Outcome<\/td><td>cancelled: The backup was cancelled/)
  })
})

describe('run(): leases (protocol v1.2)', () => {
  const yaml = `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - backup: { path: ./backup }
  - restore: { path: ./backup, lease: 2h, machine-key-env: MACHINE_KEY }
  - renew: { include: ['games/**'], lease: 90s, machine-key-env: MACHINE_KEY }
`
  const env = {
    LMS_TOKEN: 'lease-token-8c1d',
    MACHINE_KEY: '{"kty":"OKP","crv":"Ed25519","d":"lease-d","x":"x"}'
  }

  it('asks the engine for the steps’ leases, renews, and reports the earliest lease end as lease-expires and in the summary', async () => {
    const leaseExpires = '2026-12-07T22:00:00.000Z'
    const {
      engine,
      exitCode,
      box: b,
      lines
    } = await runWith(yaml, { licenses: 2, renewed: 3, leaseExpires }, {}, env)
    expect(exitCode).toBe(0)
    expect(engine.restores[0]).toMatchObject({ lease: 7200, machineKey: env.MACHINE_KEY })
    expect(engine.renewals).toEqual([
      {
        store: './licenses',
        service: { url: 'https://lms.example.com', token: 'lease-token-8c1d' },
        include: ['games/**'],
        machineKey: env.MACHINE_KEY,
        lease: 90
      }
    ])
    expect(lines).toContain(
      `Renewed 3 lease copy(ies) of machine machine-1 in ./licenses; the earliest lease now ends ${leaseExpires}.`
    )
    expect(lines).toContain("Renewing this machine's lease copies and writing them back into the store.")
    expect((await b.outputs())['lease-expires']).toBe(leaseExpires)
    const summary = await b.summary()
    expect(summary).toContain('<h3>Renew (step 3 of 3): ./licenses ↔ https://lms.example.com</h3>')
    expect(summary).toMatch(/<tr><td>Lease copies renewed<\/td><td>3<\/td><\/tr>/)
    expect(summary).toMatch(/<tr><td>Lease expires<\/td><td>2026-12-07T22:00:00.000Z<\/td><\/tr>/)
  })

  it('`only: renew` runs the renewal alone; a failed renewal fails the step with its message', async () => {
    const refused = new LicenseBackupError(
      'INVALID_LICENSE',
      'License lic-3 (key ID k3) cannot be renewed: this machine gave the license back (a release), so its copy keeps only the lease it has. Restore it to take a slot again. The other 2 license(s) were renewed.'
    )
    const { engine, exitCode, lines } = await runWith(yaml, { renewFails: refused }, { only: 'renew' }, env)
    expect(exitCode).toBe(1)
    expect(engine.backups).toEqual([])
    expect(engine.restores).toEqual([])
    expect(lines.join('\n')).toMatch(
      /::error::License lic-3 .*gave the license back.*Restore it to take a slot again\..* \[INVALID_LICENSE\]/
    )
  })
})

describe('run() as the post step (release-on-exit)', () => {
  const saved = {
    store: 'runner-store',
    url: 'https://lms.example.test',
    tokenEnv: 'LMS_TOKEN',
    machineKeyEnv: 'MACHINE_KEY',
    jtis: ['lic-1', 'lic-2']
  }
  const postEnv = {
    'STATE_is-post': 'true',
    'STATE_release-on-exit': JSON.stringify([saved]),
    LMS_TOKEN: 'post-token-3f9a',
    MACHINE_KEY: '{"kty":"OKP","crv":"Ed25519","d":"secret-d","x":"x"}'
  }

  it('releases what the main step named, with the token and key read again from the environment, and runs no step', async () => {
    const { engine, exitCode, lines } = await runWith(backupFile(), {}, {}, postEnv)
    expect(exitCode).toBe(0)
    expect(engine.backups).toEqual([])
    expect(engine.releases).toEqual([
      {
        store: 'runner-store',
        service: { url: 'https://lms.example.test', token: 'post-token-3f9a' },
        jtis: ['lic-1', 'lic-2'],
        machineKey: postEnv.MACHINE_KEY
      }
    ])
    expect(lines).toContain('::add-mask::post-token-3f9a')
  })

  it('a service out of reach is a warning naming the licenses that still hold a slot; the post step does not fail', async () => {
    const { exitCode, lines } = await runWith(
      backupFile(),
      { releaseFails: new Error('The license service at https://lms.example.test did not answer in time.') },
      {},
      postEnv
    )
    expect(exitCode).toBe(0)
    const warnings = lines.filter(l => l.startsWith('::warning::'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /did not answer in time.*These 2 license\(s\) still hold a slot of this machine: lic-1, lic-2\./
    )
    const logged = lines.filter(l => !l.startsWith('::add-mask::')).join('\n')
    expect(logged).not.toContain('post-token-3f9a')
    expect(lines).toContain('::add-mask::secret-d')
  })
})
