import { beforeAll, describe, expect, it } from '@jest/globals'
import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../../src/action/steps/config-error.js'
import { loadSteps } from '../../src/action/steps/load.js'

let dir: string
let recipient: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lb-steps-'))
  recipient = await identityToRecipient(await generateX25519Identity())
})

async function load(yaml: string) {
  const file = join(dir, `steps-${Math.random().toString(36).slice(2)}.yml`)
  await writeFile(file, yaml)
  return { file, loading: loadSteps({ config: file, inline: '' }) }
}

/** Loads `yaml` expecting a CONFIG_INVALID error at `line:column` whose message matches `pattern`. */
async function expectError(
  yaml: string,
  line: number,
  column: number,
  pattern: RegExp
): Promise<ConfigError> {
  const { file, loading } = await load(yaml)
  const error = await loading.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ConfigError)
  const config = error as ConfigError
  expect(config.code).toBe('CONFIG_INVALID')
  expect(config.message).toContain(`${file}:${line}:${column}: `)
  expect(config.message).toMatch(pattern)
  expect(config.location).toMatchObject({ file, line, column })
  return config
}

describe('steps file: valid', () => {
  it('reads the SPEC example into typed steps, with the top-level store, trust and service', async () => {
    const { loading } = await load(`version: 1
store: ./licenses
catalog: ./catalog.csv
trust: { jwks: ./issuer.jwks.json }
service: { url: https://lms.example.com, token-env: LMS_TOKEN }
steps:
  - backup:
      path: ./backup
      overwrite: false
      on-restricted: error
      encrypt-to: [${recipient}]
      artifact: { name: license-backup, retention-days: 30 }
  - restore:
      path: ./backup
      from-artifact: { name: license-backup, workflow: nightly.yml }
      individualize: true
      identity-env: AGE_IDENTITY
`)
    const config = await loading
    expect(config.steps).toHaveLength(2)
    expect(config.steps[0]).toMatchObject({
      kind: 'backup',
      index: 1,
      store: './licenses',
      catalog: './catalog.csv',
      trust: { jwksFile: './issuer.jwks.json' },
      path: './backup',
      overwrite: false,
      onRestricted: 'error',
      encryptTo: [recipient],
      artifact: { name: 'license-backup', retentionDays: 30, overwrite: false }
    })
    expect(config.steps[1]).toMatchObject({
      kind: 'restore',
      index: 2,
      fromArtifact: { name: 'license-backup', workflow: 'nightly.yml' },
      individualize: true,
      identityEnv: { name: 'AGE_IDENTITY', at: { line: 17, column: 21 } },
      service: { url: 'https://lms.example.com', tokenEnv: { name: 'LMS_TOKEN', at: { line: 5 } } }
    })
  })

  it('takes the steps inline from the `steps` input, naming it in errors', async () => {
    const ok = await loadSteps({
      config: '/nonexistent',
      inline: 'version: 1\nstore: s\nsteps:\n  - backup: { path: b }\n'
    })
    expect(ok.steps[0]).toMatchObject({ kind: 'backup', onRestricted: 'warn', path: 'b' })
    await expect(loadSteps({ config: '/nonexistent', inline: 'version: 1\nsteps: []\n' })).rejects.toThrow(
      /^the `steps` input:2:8: `steps` must list at least one/
    )
  })
})

describe('steps file: bad input names file, line and column', () => {
  it('a YAML syntax error', async () => {
    await expectError('version: 1\nsteps: [ { backup: { path: x }\n', 3, 1, /YAML syntax error: .*\(\w+\)/)
  })

  it('a tab-indented file', async () => {
    await expectError(
      'version: 1\nsteps:\n\t- backup: { path: x }\n',
      3,
      1,
      /Tabs are not allowed as indentation.*Indent with spaces/
    )
  })

  it('an unknown key, at the key, listing the allowed ones', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - backup:\n      path: x\n      overwrit: true\n',
      6,
      7,
      /unknown key `overwrit` in `steps.backup`; allowed keys: path, store, pattern, overwrite/
    )
  })

  it('an unknown top-level key', async () => {
    await expectError(
      'version: 1\nstores: s\nsteps:\n  - backup: { path: x }\n',
      2,
      1,
      /unknown key `stores` in the steps file/
    )
  })

  it('a wrong type', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - backup:\n      path: x\n      overwrite: "yes"\n',
      6,
      18,
      /`steps.backup.overwrite` must be true or false/
    )
  })

  it('version: 2', async () => {
    await expectError('version: 2\nstore: s\nsteps:\n  - backup: { path: x }\n', 1, 10, /`version` must be 1/)
  })

  it('no steps: an empty list, and none at all', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps: []\n',
      3,
      8,
      /must list at least one `backup`, `restore` or `release` step/
    )
    await expectError('version: 1\nstore: s\n', 1, 1, /missing the required key `steps`/)
  })

  it('a step that is neither backup nor restore', async () => {
    await expectError('version: 1\nstore: s\nsteps:\n  - copy: { path: x }\n', 4, 5, /unknown key `copy`/)
  })

  it('a restore with no path and no artifact', async () => {
    await expectError(
      'version: 1\nstore: s\nservice: { url: "https://lms.example.com", token-env: T }\nsteps:\n  - restore:\n      individualize: true\n',
      6,
      7,
      /`steps.restore` needs `path` \(a backup folder\) or `from-artifact`/
    )
  })

  it('an on-restricted typo', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - backup:\n      path: x\n      on-restricted: warning\n',
      6,
      22,
      /must be one of `ignore`, `info`, `warn`, `error`, not "warning"/
    )
  })

  it('an encrypt-to entry that is not an age recipient', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - backup:\n      path: x\n      encrypt-to: [ssh-ed25519 AAAA]\n',
      6,
      20,
      /is not an age X25519 recipient/
    )
  })

  it('an encrypt-to entry with a bad checksum', async () => {
    const last = recipient.at(-1) === 'q' ? 'p' : 'q'
    await expectError(
      `version: 1\nstore: s\nsteps:\n  - backup:\n      path: x\n      encrypt-to:\n        - ${recipient.slice(0, -1)}${last}\n`,
      7,
      11,
      /not a valid age recipient \(its checksum does not match\)/
    )
  })

  it('an artifact name with /', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - backup:\n      path: x\n      artifact: { name: nightly/backup }\n',
      6,
      25,
      /`steps.backup.artifact.name` is not a valid artifact name: it cannot contain \//
    )
  })

  it('an env var name that is a value', async () => {
    await expectError(
      'version: 1\nstore: s\nservice: { url: "https://lms.example.com", token-env: "ghp_abc-123" }\nsteps:\n  - backup: { path: x }\n',
      3,
      55,
      /must be the name of an environment variable/
    )
  })

  it('both run-id and workflow', async () => {
    await expectError(
      'version: 1\nstore: s\nservice: { url: "https://x.example", token-env: T }\nsteps:\n  - restore:\n      from-artifact: { name: a, run-id: 4, workflow: n.yml }\n',
      6,
      22,
      /takes `run-id` or `workflow`, not both/
    )
  })

  it('a restore without a service, and trust: service without one', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - restore: { path: b }\n',
      4,
      14,
      /add `service: \{ url: …, token-env: … \}`/
    )
    await expectError(
      'version: 1\nstore: s\ntrust: { service: true }\nsteps:\n  - backup: { path: b }\n',
      3,
      19,
      /there is no `service` with a `url`/
    )
  })

  it('a step without a store', async () => {
    await expectError(
      'version: 1\nsteps:\n  - backup:\n      path: b\n',
      4,
      7,
      /this backup step has no store/
    )
  })

  it('a missing steps file', async () => {
    await expect(loadSteps({ config: join(dir, 'nope.yml'), inline: '' })).rejects.toThrow(
      /Steps file .*nope\.yml not found/
    )
  })
})
