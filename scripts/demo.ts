// The local demo (`npm run demo`): the whole flow on this machine, in a minute.
// A sample store on "machine A", the reference license service and a stand-in for the artifact service on
// loopback, then the built action (dist/index.js) run as a runner runs it: back up (restricted licenses
// reported by title, the pack age-encrypted), upload the artifact (written to a local folder), and restore
// it from the artifact into a fresh store on "machine B". Then the built command line
// (dist/cli/license-backup.js), as a provisioning job outside GitHub Actions runs it: inspect the backup,
// restore it onto two fresh runners with one machine key, release one. Everything lands in ./demo-output.
import { generateIdentity, identityToRecipient } from 'age-encryption'
import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { createIssuer } from '../src/fixtures/issuer.js'
import { generateStore } from '../src/fixtures/store.js'
import { startFakeArtifactService } from '../src/local/artifact-service.js'
import { runAction } from '../src/local/runner.js'
import { createLicenseServer } from '../packages/license-server/src/license-server.js'

const started = Date.now()
const out = resolve('demo-output')
const at = (...parts: string[]): string => join(out, ...parts)
await rm(out, { recursive: true, force: true })
await mkdir(at('artifacts'), { recursive: true })
await mkdir(at('service'), { recursive: true })

say('1. A sample store on machine A, its catalog and the issuer’s public keys')
const issuer = createIssuer({ iss: 'https://issuer.demo.test', kid: 'demo-issuer-1' })
const sample = await generateStore(at('machine-a'), issuer, {
  count: 40,
  seed: 2026,
  catalogFile: at('catalog.csv')
})
await writeFile(at('issuer.jwks.json'), JSON.stringify(issuer.jwks(), null, 2))
const restricted = sample.licenses.filter(l => l.restricted).length
say(`   ${sample.licenses.length} licenses, ${restricted} of them restricted (their owner forbids backup)`)

say('2. The reference license service and the artifact service, on loopback')
const token = `demo-${Math.random().toString(36).slice(2)}`
const service = await createLicenseServer({ issuer, database: at('service', 'state.db'), tokens: [token] })
const artifacts = await startFakeArtifactService({ folder: at('artifacts') })
say(`   license service ${service.url}, artifact service ${artifacts.url}`)

const identity = await generateIdentity()
const recipient = await identityToRecipient(identity)
const steps = `# yaml-language-server: $schema=../schema/license-backup.schema.json
version: 1
store: ${relative(process.cwd(), at('machine-a'))}
catalog: ${relative(process.cwd(), at('catalog.csv'))}
trust: { jwks: ${relative(process.cwd(), at('issuer.jwks.json'))} }
service: { url: ${service.url}, token-env: LMS_TOKEN }
steps:
  - backup:
      path: ${relative(process.cwd(), at('backup'))}
      on-restricted: warn
      encrypt-to: [${recipient}]
      artifact: { name: license-backup-demo, retention-days: 1 }
  - verify:
      from-artifact: { name: license-backup-demo }
      identity-env: AGE_IDENTITY
  - restore:
      store: ${relative(process.cwd(), at('machine-b'))}
      from-artifact: { name: license-backup-demo }
      individualize: true
      identity-env: AGE_IDENTITY
`
await writeFile(at('license-backup.yml'), steps)
say(`3. The steps file ${relative(process.cwd(), at('license-backup.yml'))}:`)
for (const line of steps.trim().split('\n').slice(1)) say(`   ${line}`)

say('4. The action, run as a runner runs it: node dist/index.js')
const result = await runAction({
  inputs: { config: at('license-backup.yml'), 'github-token': '' },
  runnerDir: at('runner'),
  env: { ...artifacts.env, LMS_TOKEN: token, AGE_IDENTITY: identity },
  onLine: line => {
    const shown = pretty(line)
    if (shown !== undefined) say(`   │ ${shown}`)
  }
})

say('5. Outside GitHub Actions, the command line: node dist/cli/license-backup.js inspect')
const inspected = await runCommand(['inspect', rel(at('backup'))], {})
say('6. Provisioning two fresh runners with one stable machine key, then a release (protocol v1.1):')
say(`   node dist/cli/license-backup.js run --config ${rel(at('provisioning.yml'))}`)
const machineKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })
const provisioning = `version: 1
catalog: ${relative(process.cwd(), at('catalog.csv'))}
trust: { jwks: ${relative(process.cwd(), at('issuer.jwks.json'))} }
service: { url: ${service.url}, token-env: LMS_TOKEN }
steps:
  - restore: { store: ${relative(process.cwd(), at('runner-1'))}, path: ${relative(process.cwd(), at('backup'))}, identity-env: AGE_IDENTITY, machine-key-env: MACHINE_KEY }
  - restore: { store: ${relative(process.cwd(), at('runner-2'))}, path: ${relative(process.cwd(), at('backup'))}, identity-env: AGE_IDENTITY, machine-key-env: MACHINE_KEY }
  - release: { store: ${relative(process.cwd(), at('runner-2'))}, machine-key-env: MACHINE_KEY }
`
for (const line of provisioning.trim().split('\n').slice(4)) say(`   ${line}`)
await writeFile(at('provisioning.yml'), provisioning)
const provisioned = await runCommand(['run', '--config', at('provisioning.yml')], {
  LMS_TOKEN: token,
  AGE_IDENTITY: identity,
  MACHINE_KEY: JSON.stringify(machineKey)
})
const first = sample.licenses.find(l => !l.restricted)
const machines = first ? await service.machinesOf(first.jti) : []
say(
  `   license ${first?.jti} now holds ${machines.length} machine slot(s) at the service: machine B's (the two runners shared one slot, and the release gave it back)`
)
await Promise.all([service.close(), artifacts.close()])

say('7. Where everything went')
say(`   backup folder     ${rel(at('backup'))}  (${(await readdir(at('backup'))).join(', ')})`)
say(`   artifact (zip)    ${rel(at('artifacts', 'license-backup-demo.zip'))}`)
say(`   restored store    ${rel(at('machine-b'))}  (machine B, its machine key in .license-backup/)`)
say(`   job summary       ${rel(at('runner', 'step-summary.md'))}`)
say(`   outputs           ${JSON.stringify(result.outputs)}`)
say(
  `   decrypt by hand   age -d -i <age identity file> ${rel(at('backup', 'licenses.tar.gz.age'))} | tar -tz`
)
await writeFile(at('age-identity.txt'), identity + '\n', { mode: 0o600 })
say(`                     (the demo's identity is in ${rel(at('age-identity.txt'))})`)
const restoredCount = (await readdir(at('machine-b'), { recursive: true })).filter(f =>
  f.endsWith('.jwt')
).length
say(
  `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s: exit code ${result.exitCode}, ${restoredCount} licenses restored on machine B.`
)
if (result.exitCode !== 0 || inspected !== 0 || provisioned !== 0) {
  console.error((await readFile(at('runner', 'step-summary.md'), 'utf8')).slice(0, 2000))
  process.exitCode = 1
}

/**
 * Runs the built command line with `args` and the secrets in `env`, as a CI job or provisioning script runs
 * it; prints its lines but the per-license and progress detail. Resolves its exit code.
 */
function runCommand(args: string[], env: Record<string, string>): Promise<number> {
  const command = resolve('dist', 'cli', 'license-backup.js')
  return new Promise(done => {
    execFile(
      process.execPath,
      [command, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        for (const line of `${stdout}${stderr}`.split('\n')) {
          if (line !== '' && !/^(LICENSE|PROGRESS) /.test(line)) say(`   │ ${line}`)
        }
        done(error ? (typeof error.code === 'number' ? error.code : 1) : 0)
      }
    )
  })
}

function say(line: string): void {
  console.log(line)
}

function rel(path: string): string {
  return relative(process.cwd(), path)
}

/** The runner's workflow commands, shown as the Actions log shows them; masks and debug lines hidden. */
function pretty(line: string): string | undefined {
  if (line.startsWith('::add-mask::') || line.startsWith('::debug::')) return undefined
  // Node's deprecation notices from a dependency of @actions/artifact: noise for the reader.
  if (line.startsWith('(node:') || line.startsWith('(Use `node --trace-deprecation')) return undefined
  if (line.startsWith('::group::')) return `▸ ${line.slice(9)}`
  if (line === '::endgroup::') return undefined
  const command = /^::(warning|error|notice)[^:]*::(.*)$/.exec(line)
  if (command) return `${command[1]}: ${command[2]}`
  return line
}
