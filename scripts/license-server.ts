// The reference license service (protocol v1) as a process, for the demo and for trying the action locally:
//   node scripts/run-ts.mjs scripts/license-server.ts --issuer issuer.json [--state state.json] [--port 0]
//     [--token <token>]… [--read-token <token>]… [--rate-limit <requests>/<seconds>]
// `--issuer` is a file written by saveIssuer (src/fixtures/issuer.ts). Tokens also come from
// LICENSE_SERVER_TOKEN (so they need not appear in a process list). It binds to 127.0.0.1 only and prints
// its URL on the first line of stdout.
import { parseArgs } from 'node:util'
import { loadIssuer } from '../src/fixtures/issuer.js'
import { createLicenseServer, type TokenGrant } from '../src/server/license-server.js'

const USAGE =
  'usage: license-server --issuer <issuer.json> [--state <state.json>] [--port <n>] [--token <t>]… ' +
  '[--read-token <t>]… [--rate-limit <requests>/<seconds>]'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      issuer: { type: 'string' },
      state: { type: 'string', default: 'license-server-state.json' },
      port: { type: 'string', default: '0' },
      token: { type: 'string', multiple: true, default: [] },
      'read-token': { type: 'string', multiple: true, default: [] },
      'rate-limit': { type: 'string' },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (!values.issuer) throw new Error(`--issuer is required\n${USAGE}`)
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port ${values.port} is not a port`)
  const tokens: TokenGrant[] = [
    ...values.token.map(token => ({ token, access: 'restore' as const })),
    ...values['read-token'].map(token => ({ token, access: 'read' as const }))
  ]
  const fromEnv = process.env['LICENSE_SERVER_TOKEN']
  if (fromEnv) tokens.push({ token: fromEnv, access: 'restore' })
  if (tokens.length === 0) throw new Error(`give at least one --token (or LICENSE_SERVER_TOKEN)\n${USAGE}`)
  let rateLimit: { requests: number; windowMs: number } | undefined
  if (values['rate-limit']) {
    const match = /^(\d+)\/(\d+)$/.exec(values['rate-limit'])
    if (!match) throw new Error(`--rate-limit ${values['rate-limit']} is not <requests>/<seconds>`)
    rateLimit = { requests: Number(match[1]), windowMs: Number(match[2]) * 1000 }
  }
  const server = await createLicenseServer({
    issuer: await loadIssuer(values.issuer),
    stateFile: values.state,
    tokens,
    port,
    ...(rateLimit ? { rateLimit } : {})
  })
  console.log(server.url)
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(`license-server: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(2)
})
