#!/usr/bin/env node
// The `license-server` command from this checkout's sources (`npm run server`, `npm run license-server -- …`,
// the tests' src/fixtures/server-process.ts): packages/license-server/src/main.ts, bundled by run-ts.mjs.
// Operators install the package instead, whose `license-server` is built once, at pack time (ADR 0202).
import { fileURLToPath } from 'node:url'

process.argv.splice(2, 0, fileURLToPath(new URL('../packages/license-server/src/main.ts', import.meta.url)))
await import('./run-ts.mjs')
