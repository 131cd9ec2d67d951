import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { DEFAULT_GRACE, keyCommand } from './keys/commands.js'
import { KeyFileError, parseKeyRing, readKeyRing, writeKeyRing } from './keys/key-file.js'
import { newKeyRing, type KeyRing } from './keys/key-ring.js'
import { parseJwks, readJwks, type Jwks } from './keys/trust.js'
import { createLicenseServer } from './license-server.js'
import { describeDatabase, isPostgres, openEngine } from './storage/open.js'
import { LicenseStore, StoreError, type PolicyScope } from './storage/store.js'
import { machineOf, policyView } from './admin-api.js'
import {
  MIN_LEASE_MS,
  parseDuration,
  RELEASE_MODES,
  type PolicyChange,
  type ReleaseMode
} from './storage/lease-policy.js'
import { ROLES, type Role } from './storage/types.js'

export const USAGE = `usage: license-server <command> [options]

  serve                          run the service (prints its URL, then one JSON line per request)
      --signing-keys <file>      the service's signing keys, a 0600 file made by "key generate"
                                 (LICENSE_SERVER_SIGNING_KEYS_FILE; or the file's JSON in
                                 LICENSE_SERVER_SIGNING_KEYS)
      --trusted-issuers <file>   a JWKS of the issuer keys whose licenses it takes, besides its own
                                 (LICENSE_SERVER_TRUSTED_ISSUERS_FILE; or the JWKS in
                                 LICENSE_SERVER_TRUSTED_ISSUERS); default: its own keys only
      --host <addr>              default 127.0.0.1 (LICENSE_SERVER_HOST)
      --port <n>                 default 8080; 0 picks a free one (LICENSE_SERVER_PORT)
      --rate-limit <n>/<s>       requests per token per window, default 600/60 (LICENSE_SERVER_RATE_LIMIT)
      --restore-limit <n>        machines per license, default 4
      --lease <duration>         the longest lease of a re-issued copy (90s, 30m, 2h, 7d), default 30d
                                 (LICENSE_SERVER_LEASE); a policy may set another per tenant or license
      --max-sessions <n>         open sessions per token, default 100
      --max-body <bytes>         largest restore request, default 16777216
      --public-url <url>         the URL clients use, when a proxy is in front (LICENSE_SERVER_PUBLIC_URL):
                                 the base of every URL it hands out, the only audience a proof may name
      --no-release               refuse machines' releases of their licenses (403 release-disabled)
      --no-migrate               refuse to start on a database behind this version instead of migrating
      --quickstart               for trying it out: create the signing key file if missing, a tenant
                                 "local" owning every licensee, and print a new restore token
  migrate                        apply pending schema migrations
  key generate [--kid <kid>]     create the signing key file (--signing-keys) with one new key
  key import <key file> [--kid <kid>] [--grace <duration>]
                                 make an Ed25519 private key (PEM PKCS#8, JWK) the current key
  key rotate [--kid <kid>] [--grace <duration>]
                                 a new current key; the old one verifies for --grace (default ${DEFAULT_GRACE})
  key list                       the keys, their states and public JWKs
  tenant add <name> [--licensee <sub>]… [--any-licensee] [--operator]
  licensee add <tenant> <sub>…
  licensee list <tenant>
  token issue <tenant> --role restore|read|admin [--label <text>]   prints the token once
  license revoke <jti>
  machines list <jti>
  machine release <jti> <machine-id>
  audit [--limit <n>]
  policy set --tenant <name> | --license <jti> [--lease <duration>] [--release immediate|at-lease-end]
             [--limit <n>]       override the service's policy; "default" as a value clears that override
  policy show --tenant <name> | --license <jti>

Every command but key takes --database <file | postgres://…> (DATABASE_URL; default ./license-server.db);
key commands take --signing-keys <file> (LICENSE_SERVER_SIGNING_KEYS_FILE; default ./license-server-keys.json).`

const OPTIONS = {
  database: { type: 'string' },
  issuer: { type: 'string' },
  'signing-keys': { type: 'string' },
  'trusted-issuers': { type: 'string' },
  kid: { type: 'string' },
  grace: { type: 'string', default: DEFAULT_GRACE },
  host: { type: 'string' },
  port: { type: 'string' },
  'rate-limit': { type: 'string' },
  'restore-limit': { type: 'string' },
  'max-sessions': { type: 'string' },
  'max-body': { type: 'string' },
  'no-migrate': { type: 'boolean', default: false },
  'public-url': { type: 'string' },
  'no-release': { type: 'boolean', default: false },
  quickstart: { type: 'boolean', default: false },
  licensee: { type: 'string', multiple: true, default: [] as string[] },
  'any-licensee': { type: 'boolean', default: false },
  operator: { type: 'boolean', default: false },
  role: { type: 'string' },
  label: { type: 'string', default: '' },
  limit: { type: 'string' },
  lease: { type: 'string' },
  release: { type: 'string' },
  tenant: { type: 'string' },
  license: { type: 'string' },
  help: { type: 'boolean', default: false }
} satisfies ParseArgsConfig['options']

/** Every command, as its first one or two words. */
const COMMANDS = [
  'serve',
  'migrate',
  'audit',
  'tenant add',
  'licensee add',
  'licensee list',
  'key generate',
  'key import',
  'key rotate',
  'key list',
  'token issue',
  'license revoke',
  'machines list',
  'machine release',
  'policy set',
  'policy show'
]

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values']

/** Thrown for a command line that cannot run: the message says what to change. */
export class UsageError extends Error {}

/** Runs one command; `serve` resolves once the server is listening and returns its stop function. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  print: (line: string) => void
): Promise<(() => Promise<void>) | undefined> {
  const { values, positionals } = parsed(argv)
  const [command, sub, ...rest] = positionals
  if (values.help || command === undefined || command === 'help') {
    print(USAGE)
    return undefined
  }
  // Refused before the database is opened: opening a SQLite file creates it.
  if (!COMMANDS.includes(command) && !COMMANDS.includes(`${command} ${sub}`))
    throw new UsageError(`Unknown command "${[command, sub].filter(Boolean).join(' ')}".\n${USAGE}`)
  if (values.issuer !== undefined) {
    throw new UsageError(
      `--issuer is now --signing-keys (the same file works; "license-server key list --signing-keys ${values.issuer}" shows it).`
    )
  }
  if (command === 'key') return runKeyCommand(values, env, sub, rest[0], print)
  const database = values.database ?? env['DATABASE_URL'] ?? 'license-server.db'
  if (command === 'serve') return serve(values, env, database, print)
  const store = new LicenseStore(openEngine(database))
  try {
    if (command === 'migrate') {
      print(JSON.stringify({ database: describeDatabase(database), schema: await store.engine.migrate() }))
      return undefined
    }
    await store.engine.migrate()
    print(JSON.stringify(await administer(store, values, command, [sub, ...rest])))
    return undefined
  } catch (error) {
    if (error instanceof StoreError) throw new UsageError(error.message)
    throw error
  } finally {
    await store.engine.close()
  }
}

/** The command line, parsed; an unknown or malformed option is a usage error (exit 2), naming it. */
function parsed(
  argv: string[]
): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>> {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true })
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`)
  }
}

/** The operations that change or read the database, as the admin API does them for the operator. */
async function administer(
  store: LicenseStore,
  values: Values,
  command: string,
  args: Array<string | undefined>
): Promise<unknown> {
  const [sub, a, b] = args
  if (command === 'audit') {
    const limit = Number(values.limit ?? 50)
    const entries = await store.auditTrail(null, Number.isInteger(limit) && limit > 0 ? limit : 50)
    return { entries: entries.map(e => ({ ...e, at: new Date(e.at).toISOString() })) }
  }
  const need = (value: string | undefined, what: string): string => {
    if (!value) throw new UsageError(`${command} ${sub ?? ''}: give ${what}.\n${USAGE}`)
    return value
  }
  switch (`${command} ${sub}`) {
    case 'tenant add': {
      const tenant = await store.addTenant(need(a, 'the tenant name'), {
        licensees: values.licensee,
        anyLicensee: values['any-licensee'],
        operator: values.operator
      })
      return {
        tenant: tenant.name,
        id: tenant.id,
        any_licensee: tenant.anyLicensee,
        operator: tenant.operator
      }
    }
    case 'licensee add': {
      const subs = args.slice(2).filter((s): s is string => s !== undefined)
      if (subs.length === 0)
        throw new UsageError(`licensee add: give the tenant and one or more licensees.\n${USAGE}`)
      await store.addLicensees(need(a, 'the tenant name'), subs)
      return { tenant: a, added: subs.length }
    }
    case 'licensee list': {
      const listed = await store.licensees(need(a, 'the tenant name'))
      return {
        tenant: listed.tenant.name,
        any_licensee: listed.tenant.anyLicensee,
        licensees: listed.licensees
      }
    }
    case 'token issue': {
      const role = values.role
      if (!role || !(ROLES as readonly string[]).includes(role)) {
        throw new UsageError(`token issue: give --role ${ROLES.join('|')}.`)
      }
      const issued = await store.issueToken(need(a, 'the tenant name'), role as Role, values.label)
      return { tenant: issued.tenant.name, id: issued.id, role, token: issued.token }
    }
    case 'license revoke':
      await store.revoke(need(a, 'the license ID (jti)'))
      return { revoked: a }
    case 'machines list': {
      const jti = need(a, 'the license ID (jti)')
      return { jti, machines: ((await store.machines(jti)) ?? []).map(machineOf) }
    }
    case 'machine release': {
      const jti = need(a, 'the license ID (jti)')
      const outcome = await store.releaseMachine(jti, need(b, 'the machine ID'))
      if (outcome !== 'released')
        throw new UsageError(`Machine ${b} does not hold license ${jti}; nothing released.`)
      return { jti, released: b }
    }
    case 'policy set': {
      const scope = policyScopeOf(values, 'policy set')
      return policyView(scope, await store.setPolicy(scope, policyChangeOf(values)))
    }
    case 'policy show': {
      const scope = policyScopeOf(values, 'policy show')
      return policyView(scope, await store.policy(scope))
    }
    default:
      throw new UsageError(`Unknown command "${[command, sub].filter(Boolean).join(' ')}".\n${USAGE}`)
  }
}

async function runKeyCommand(
  values: Values,
  env: NodeJS.ProcessEnv,
  sub: string | undefined,
  source: string | undefined,
  print: (line: string) => void
): Promise<undefined> {
  const file = values['signing-keys'] ?? env['LICENSE_SERVER_SIGNING_KEYS_FILE'] ?? 'license-server-keys.json'
  const done = await keyCommand(sub, {
    file,
    grace: values.grace,
    now: Date.now(),
    ...(values.kid === undefined ? {} : { kid: values.kid }),
    ...(source === undefined ? {} : { source })
  }).catch(usage)
  print(JSON.stringify(done))
  return undefined
}

/** The signing keys `serve` uses: the flag's file, else the variable's JSON, else the variable's file
 * (created by --quickstart if missing). */
async function signingKeys(values: Values, env: NodeJS.ProcessEnv): Promise<KeyRing> {
  const inline = env['LICENSE_SERVER_SIGNING_KEYS']
  if (inline !== undefined && values['signing-keys'] === undefined) {
    return asUsage(() => parseKeyRing(inline, 'LICENSE_SERVER_SIGNING_KEYS'))
  }
  const file =
    values['signing-keys'] ??
    env['LICENSE_SERVER_SIGNING_KEYS_FILE'] ??
    (values.quickstart ? 'license-server-keys.json' : undefined)
  if (!file) {
    throw new UsageError(
      `serve: give --signing-keys <file> (or LICENSE_SERVER_SIGNING_KEYS_FILE, or the keys in LICENSE_SERVER_SIGNING_KEYS); "license-server key generate" makes one.\n${USAGE}`
    )
  }
  if (values.quickstart && !existsSync(file)) {
    await mkdir(dirname(file), { recursive: true })
    await writeKeyRing(file, newKeyRing(Date.now()), { create: true })
  }
  return readKeyRing(file).catch(usage)
}

async function trustedIssuers(values: Values, env: NodeJS.ProcessEnv): Promise<Jwks | undefined> {
  const inline = env['LICENSE_SERVER_TRUSTED_ISSUERS']
  if (inline !== undefined && values['trusted-issuers'] === undefined) {
    return asUsage(() => parseJwks(inline, 'LICENSE_SERVER_TRUSTED_ISSUERS'))
  }
  const file = values['trusted-issuers'] ?? env['LICENSE_SERVER_TRUSTED_ISSUERS_FILE']
  return file === undefined ? undefined : readJwks(file).catch(usage)
}

function asUsage<T>(make: () => T): T {
  try {
    return make()
  } catch (error) {
    return usage(error)
  }
}

/** A key file's error as a usage error (exit 2): its message says what to change. */
function usage(error: unknown): never {
  if (error instanceof KeyFileError) throw new UsageError(error.message)
  throw error
}

async function serve(
  values: Values,
  env: NodeJS.ProcessEnv,
  database: string,
  print: (line: string) => void
): Promise<() => Promise<void>> {
  if (values.quickstart) await quickstartFolder(database)
  const issuer = await signingKeys(values, env)
  const trusted = await trustedIssuers(values, env)
  const rateLimit = parseRate(values['rate-limit'] ?? env['LICENSE_SERVER_RATE_LIMIT'] ?? '600/60')
  const publicUrl = values['public-url'] ?? env['LICENSE_SERVER_PUBLIC_URL']
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new UsageError(`--public-url ${publicUrl} is not an http(s) URL.`)
  }
  const server = await createLicenseServer({
    issuer,
    ...(trusted ? { trustedIssuers: trusted } : {}),
    database,
    host: values.host ?? env['LICENSE_SERVER_HOST'] ?? '127.0.0.1',
    port: integer(values.port ?? env['LICENSE_SERVER_PORT'] ?? '8080', '--port', 0, 65535),
    migrate: !values['no-migrate'],
    allowRelease: !values['no-release'],
    ...(publicUrl ? { publicUrl } : {}),
    ...(rateLimit ? { rateLimit } : {}),
    ...leaseOption(values.lease ?? env['LICENSE_SERVER_LEASE']),
    ...(values['restore-limit']
      ? { restoreLimit: integer(values['restore-limit'], '--restore-limit', 1, 1000) }
      : {}),
    ...(values['max-sessions']
      ? { maxSessionsPerToken: integer(values['max-sessions'], '--max-sessions', 1, 1e6) }
      : {}),
    ...(values['max-body'] ? { maxBodyBytes: integer(values['max-body'], '--max-body', 1024, 2 ** 30) } : {}),
    log: line => print(line)
  })
  print(server.url)
  if (values.quickstart) {
    if (!(await tenantExists(server.store, 'local')))
      await server.store.addTenant('local', { anyLicensee: true })
    const issued = await server.store.issueToken('local', 'restore', 'quickstart')
    print(`restore token (shown once; tenant "local"): ${issued.token}`)
  }
  return server.close
}

/** Quickstart makes the folders of its issuer file and SQLite database, and the issuer file once. */
/** The quickstart's database folder; a PostgreSQL URL has none. */
async function quickstartFolder(database: string): Promise<void> {
  if (!isPostgres(database)) await mkdir(dirname(database), { recursive: true })
}

async function tenantExists(store: LicenseStore, name: string): Promise<boolean> {
  const rows = await store.engine.read('SELECT id FROM tenants WHERE name = $1', [name])
  return rows.length > 0
}

function leaseOption(text: string | undefined): { leaseMs?: number } {
  return text === undefined ? {} : { leaseMs: duration(text, '--lease') }
}

function duration(text: string, name: string): number {
  const ms = parseDuration(text)
  if (ms === undefined || ms < MIN_LEASE_MS) {
    throw new UsageError(`${name} ${text} is not a duration of at least 60s (90s, 30m, 2h, 7d).`)
  }
  return ms
}

/** Whose policy a `policy` command acts on: exactly one of --tenant and --license. */
function policyScopeOf(values: Values, command: string): PolicyScope {
  if ((values.tenant === undefined) === (values.license === undefined)) {
    throw new UsageError(`${command}: give --tenant <name> or --license <jti> (one of them).\n${USAGE}`)
  }
  return values.tenant !== undefined ? { tenant: values.tenant } : { license: values.license as string }
}

/** The overrides `policy set` changes: each option given, "default" clearing it. */
function policyChangeOf(values: Values): PolicyChange {
  const change: PolicyChange = {}
  const { lease, release, limit } = values
  if (lease !== undefined) change.leaseMs = lease === 'default' ? null : duration(lease, '--lease')
  if (release !== undefined) {
    if (release !== 'default' && !(RELEASE_MODES as readonly string[]).includes(release)) {
      throw new UsageError(`--release ${release} is not one of ${RELEASE_MODES.join(', ')} or default.`)
    }
    change.release = release === 'default' ? null : (release as ReleaseMode)
  }
  if (limit !== undefined) change.limit = limit === 'default' ? null : integer(limit, '--limit', 1, 1000)
  if (Object.keys(change).length === 0) {
    throw new UsageError(`policy set: give --lease, --release or --limit.\n${USAGE}`)
  }
  return change
}

function parseRate(text: string): { requests: number; windowMs: number } | undefined {
  if (text === 'off') return undefined
  const match = /^(\d+)\/(\d+)$/.exec(text)
  if (!match) throw new UsageError(`--rate-limit ${text} is not <requests>/<seconds> or "off".`)
  return { requests: Number(match[1]), windowMs: Number(match[2]) * 1000 }
}

function integer(text: string, name: string, min: number, max: number): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} ${text} is not a whole number from ${min} to ${max}.`)
  }
  return value
}
