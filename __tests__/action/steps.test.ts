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
  it('keeps an artifact up to 400 days, what a private repository allows (a public one caps it at 90)', async () => {
    const steps = (days: number): string =>
      `version: 1\nstore: ./licenses\nsteps:\n  - backup:\n      path: ./backup\n      artifact: { name: b, retention-days: ${days} }\n`
    const { loading } = await load(steps(400))
    expect((await loading).steps[0]).toMatchObject({ artifact: { retentionDays: 400 } })
    await expectError(steps(401), 6, 44, /retention-days` must be <= 400/)
  })

  it('reads a registry push with tags and keep, and a restore from a registry', async () => {
    const { loading } = await load(`version: 1
store: ./licenses
service: { url: https://lms.example.com, token-env: LMS_TOKEN }
steps:
  - backup:
      path: ./backup
      registry:
        repository: ghcr.io/acme/license-backups
        tags: [nightly]
        token-env: GHCR_TOKEN
        token-realms: [https://auth.example.com/]
        keep: { last: 3, daily: 7, weekly: 4, monthly: 12, dry-run: true }
  - restore:
      from-registry: { reference: "ghcr.io/acme/license-backups:nightly", username: bot, token-env: GHCR_TOKEN }
`)
    const { steps } = await loading
    expect(steps[0]).toMatchObject({
      registry: {
        repository: { host: 'ghcr.io', scheme: 'https', name: 'acme/license-backups' },
        tags: ['nightly'],
        tokenEnv: { name: 'GHCR_TOKEN', at: { line: 10 } },
        tokenRealms: ['https://auth.example.com'],
        keep: { last: 3, daily: 7, weekly: 4, monthly: 12, dryRun: true }
      }
    })
    expect(steps[1]).toMatchObject({
      fromRegistry: {
        reference: { host: 'ghcr.io', name: 'acme/license-backups', tag: 'nightly' },
        username: 'bot',
        tokenEnv: { name: 'GHCR_TOKEN' }
      }
    })
  })

  it('reads the README example into typed steps, with the top-level store, trust and service', async () => {
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

describe('steps file: `path-env` (ADR 0071)', () => {
  const yaml = `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - backup: { path-env: BACKUP_PATH, overwrite: true }
  - restore: { path-env: BACKUP_PATH }
`
  it('takes the folder from the variable, as it is: quotes, braces and line breaks are never YAML', async () => {
    const hostile = `./x' }\n  - restore: { path: "/etc", store: / }\n#"`
    const config = await loadSteps({ config: '', inline: yaml, env: { BACKUP_PATH: hostile } })
    expect(
      config.steps.map(step => [
        step.kind,
        step.kind === 'release' || step.kind === 'renew' ? undefined : step.path
      ])
    ).toEqual([
      ['backup', hostile],
      ['restore', hostile]
    ])
  })

  it('an unset variable is an error naming it, on its line', async () => {
    const error = await loadSteps({ config: '', inline: yaml, env: {} }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /^the `steps` input:5:25: the environment variable BACKUP_PATH \(named by `path-env`\) is not set/
      )
    })
  })

  it('`path` and `path-env` together, and neither in a backup', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - backup: { path: x, path-env: P }\n',
      4,
      13,
      /`steps.backup` takes `path` or `path-env`, not both/
    )
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - backup: { overwrite: true }\n',
      4,
      13,
      /`steps.backup` needs `path` \(the backup folder\) or `path-env`/
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
      /unknown key `overwrit` in `steps.backup`; allowed keys: path, path-env, store, pattern, overwrite/
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
      /must list at least one `backup`, `restore`, `verify`, `release` or `renew` step/
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
      /`steps.restore` needs `path` \(a backup folder\), `path-env` \(the variable holding it\), `from-artifact` \(an artifact holding one\) or `from-registry`/
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

  it.each([
    ['service:\n  url: https://attacker.example\n  token-env: ACTIONS_RUNTIME_TOKEN\n', 5, 14],
    ['service:\n  url: https://attacker.example\n  token-env: github_token\n', 5, 14],
    ['service: { url: "https://lms.example.com", token-env: Runner_Temp }\n', 3, 55]
  ])(
    'a `token-env` naming a runner variable (%j), at load time, on its line',
    async (service, line, column) => {
      await expectError(
        `version: 1\nstore: s\n${service}steps:\n  - restore: { path: x }\n`,
        line,
        column,
        /`service.token-env` must not name one of the runner's own variables \(ACTIONS_\*, GITHUB_\*, RUNNER_\*, in any case\)/
      )
    }
  )

  it('an `identity-env` naming a runner variable', async () => {
    await expectError(
      'version: 1\nstore: s\nservice: { url: "https://lms.example.com", token-env: LMS }\nsteps:\n  - restore:\n      path: x\n      identity-env: GITHUB_TOKEN\n',
      7,
      21,
      /`steps.restore.identity-env` must not name one of the runner's own variables/
    )
  })

  it.each(['run-id: 4, workflow: n.yml', 'run-id: 4, artifact-id: 9', 'artifact-id: 9, workflow: n.yml'])(
    'two ways of choosing the artifact (%s)',
    async choice => {
      await expectError(
        `version: 1\nstore: s\nservice: { url: "https://x.example", token-env: T }\nsteps:\n  - restore:\n      from-artifact: { name: a, ${choice} }\n`,
        6,
        22,
        /`steps.restore.from-artifact` takes one of `run-id`, `artifact-id` or `workflow`, not several/
      )
    }
  )

  it('`branch` or `events` without `workflow`, and an event that is not a name', async () => {
    const file = (from: string) =>
      `version: 1\nstore: s\nservice: { url: "https://x.example", token-env: T }\nsteps:\n  - restore:\n      from-artifact: { name: a, ${from} }\n`
    await expectError(
      file('run-id: 4, branch: main'),
      6,
      22,
      /takes `branch` and `events` only with `workflow`/
    )
    await expectError(
      file('workflow: n.yml, events: [push, "pull_request; x"]'),
      6,
      65,
      /`steps.restore.from-artifact.events` is not a workflow event name/
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

  it('a registry repository over plain HTTP that is not loopback, at its line', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - backup:\n      path: b\n      registry:\n        repository: http://registry.example.com/acme/lb\n',
      7,
      21,
      /plain HTTP to a registry that is not on this machine: use https:\/\//
    )
  })

  it('a verify step reads a backup from a registry, and not from an artifact at the same time', async () => {
    const { steps } = await (
      await load(
        `version: 1\nstore: s\nsteps:\n  - verify:\n      from-registry: { reference: "ghcr.io/acme/lb@sha256:${'a'.repeat(64)}", token-env: GHCR_TOKEN }\n`
      )
    ).loading
    expect(steps[0]).toMatchObject({
      kind: 'verify',
      fromRegistry: { reference: { digest: `sha256:${'a'.repeat(64)}` }, tokenEnv: { name: 'GHCR_TOKEN' } }
    })
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - verify:\n      from-registry: { reference: "ghcr.io/acme/lb:nightly" }\n      from-artifact: { name: a }\n',
      5,
      7,
      /`steps.verify` takes `from-artifact` or `from-registry`, not both/
    )
  })

  it('a from-registry reference without a tag or digest, and from-artifact with from-registry', async () => {
    const head =
      'version: 1\nstore: s\nservice: { url: "https://lms.example.com", token-env: T }\nsteps:\n  - restore:\n'
    await expectError(
      `${head}      from-registry: { reference: ghcr.io/acme/lb }\n`,
      6,
      35,
      /`steps.restore.from-registry.reference` must be a registry reference with a tag or digest/
    )
    await expectError(
      `${head}      from-registry: { reference: "ghcr.io/acme/lb:nightly" }\n      from-artifact: { name: a }\n`,
      6,
      7,
      /takes `from-artifact` or `from-registry`, not both/
    )
  })

  it('a token realm that is not an HTTPS origin', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - backup:\n      path: b\n      registry:\n        repository: ghcr.io/acme/lb\n        token-realms: [http://auth.example.com/token]\n',
      8,
      24,
      /is not an HTTPS origin such as https:\/\/auth.example.com/
    )
  })

  it('a keep without a rule', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - backup:\n      path: b\n      registry:\n        repository: ghcr.io/acme/lb\n        keep: { dry-run: true }\n',
      8,
      15,
      /`steps.backup.registry.keep` needs at least one rule: `last`, `daily`, `weekly` or `monthly`/
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
      /Steps file .*nope\.yml does not exist: create it/
    )
  })
})

describe('leases in the steps file (protocol v1.2)', () => {
  const head =
    'version: 1\nstore: s\nservice: { url: "https://lms.example.com", token-env: LMS_TOKEN }\nsteps:\n'

  it('reads `lease` on restore and renew steps as seconds, and a renew step with its store, include and key', async () => {
    const yaml = `${head}  - restore: { path: b, lease: 90s }\n  - restore: { path: b, lease: 30m }\n  - renew: { store: t, include: ['games/**'], lease: 7d, machine-key-env: MACHINE_KEY }\n  - renew: {}\n`
    const { loading } = await load(yaml)
    const steps = (await loading).steps
    expect(steps.map(s => ('leaseSeconds' in s ? s.leaseSeconds : undefined))).toEqual([
      90,
      1800,
      604_800,
      undefined
    ])
    expect(steps[2]).toMatchObject({
      kind: 'renew',
      store: 't',
      include: ['games/**'],
      machineKeyEnv: { name: 'MACHINE_KEY' },
      service: { url: 'https://lms.example.com', tokenEnv: { name: 'LMS_TOKEN' } }
    })
    expect(steps[3]).toMatchObject({ kind: 'renew', store: 's' })
  })

  it('a lease shorter than a minute, or not a duration, is an error on its line', async () => {
    await expectError(
      `${head}  - restore: { path: b, lease: 30s }\n`,
      5,
      32,
      /`lease` is 30s: .*at least a minute; give `60s` or more/
    )
    await expectError(
      `${head}  - renew: { lease: 2w }\n`,
      5,
      21,
      /`steps.renew.lease` must be a duration .* like `90s`, `30m`, `2h` or `7d`/
    )
  })

  it('a renew step needs the service', async () => {
    await expectError(
      'version: 1\nstore: s\nsteps:\n  - renew: {}\n',
      4,
      12,
      /a renew step goes through the license service/
    )
  })
})
