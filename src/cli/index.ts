/**
 * The `license-backup` command (bin in package.json, built to dist/cli/license-backup.js): the engine
 * driven from a terminal, a CI job or a provisioning script, over the action's steps file (ADR 0200).
 */
import { main } from './main.js'

const controller = new AbortController()
// The first Ctrl-C or SIGTERM cancels the operation, which undoes what it had not committed; a second one
// is Node's default, an immediate exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort())

process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  signal: controller.signal,
  now: Date.now
})
