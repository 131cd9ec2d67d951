// The `license-server` command (cli.ts; `license-server --help`, README.md): the entry point the package's
// build bundles into dist/license-server.js, and that scripts/license-server.mjs runs from a checkout.
// `serve` prints its URL on the first line of stdout, then one JSON line per request; SIGTERM or SIGINT
// finishes the requests in flight and stops. Other commands print one JSON document.
import { runCli, UsageError } from './cli.js'

async function main(): Promise<void> {
  const stop = await runCli(process.argv.slice(2), process.env, line => process.stdout.write(`${line}\n`))
  if (!stop) return
  const shutdown = (): void => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  console.error(`license-server: ${message}`)
  process.exit(error instanceof UsageError ? 2 : 1)
})
