#!/usr/bin/env node
// The `license-server` command (package.json "bin"): runs scripts/license-server.ts from source.
import { fileURLToPath } from 'node:url'

process.argv.splice(2, 0, fileURLToPath(new URL('./license-server.ts', import.meta.url)))
await import('./run-ts.mjs')
