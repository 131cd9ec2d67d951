// Bundles the action into dist/ (ADR 0003). Deterministic: the same src/ and lockfile give the same bytes,
// which is what .ci/run and check-dist.yml compare against the committed dist/.
import { build } from 'esbuild'
import { chmod, readFile, rm, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { VERIFY_WORKER } from './bundle.mjs'
import { writeEngineTypes } from './engine-types.mjs'
import { licensesText } from './licenses.mjs'

// `node scripts/build.mjs [OUTDIR] [action|cli|engine]`: every bundle into dist/ by default, or the one named
// (the command line's tests build the command alone).
const [outdir = 'dist', only] = process.argv.slice(2)

/** Whether esbuild's absolute `path` is the project's own `file` (relative() folds a drive letter's case). */
function isProjectFile(path, file) {
  return relative(process.cwd(), path) === file
}

// src/engine/version.ts imports package.json for the version (its one place, ADR 0111). Only the version is
// bundled, so dist/ changes when the version does, not with every script or dependency added.
const versionOnly = {
  name: 'package.json: version only',
  setup(build) {
    build.onLoad({ filter: /package\.json$/ }, async args => {
      if (!isProjectFile(args.path, 'package.json')) return undefined
      const { version } = JSON.parse(await readFile(args.path, 'utf8'))
      return { contents: JSON.stringify({ version }), loader: 'json' }
    })
  }
}
await rm(outdir, { recursive: true, force: true })
// The crash harness's kill switch (LICENSE_BACKUP_CRASH_AT, src/engine/io/crash-points.ts) is for the
// tests, which run the sources: what users run gets the same functions, doing nothing.
const withoutCrashPoints = {
  name: 'crash points compiled out',
  setup(build) {
    build.onLoad({ filter: /crash-points\.ts$/ }, args => {
      if (!isProjectFile(args.path, join('src', 'engine', 'io', 'crash-points.ts'))) return undefined
      return {
        contents: 'export function crashPoint() {}\nexport function crashPointsPassed() { return {} }\n',
        loader: 'js'
      }
    })
  }
}

// @actions/http-client is under @actions/core, so it loads at every start, and two of its imports cost
// most of the action's cold start (ADR 0195), so the build rewrites them, failing if they change shape:
// - node:http and node:https as ES modules: Node makes such a namespace by reading every export of the
//   built-in, and node:http's lazy `WebSocket`-style ones load Node's own fetch. require() returns the
//   same module objects without reading them.
// - undici's ProxyAgent, needed only behind a proxy, evaluated all of undici (~100 ms). It is required
//   where the client makes a proxy agent instead; it stays in the bundle.
const HTTP_CLIENT = join('node_modules', '@actions', 'http-client', 'lib', 'index.js')
const HTTP_CLIENT_REWRITES = [
  ["import * as http from 'http';", "const http = require('node:http');"],
  ["import * as https from 'https';", "const https = require('node:https');"],
  ["import { ProxyAgent } from 'undici';", ''],
  ['new ProxyAgent(', "new (require('undici').ProxyAgent)("]
]
const httpClientAtStart = {
  name: '@actions/http-client: built-ins required, undici when a proxy is used',
  setup(build) {
    build.onLoad({ filter: /http-client[\\/]lib[\\/]index\.js$/ }, async args => {
      if (!isProjectFile(args.path, HTTP_CLIENT)) return undefined
      let text = await readFile(args.path, 'utf8')
      for (const [from, to] of HTTP_CLIENT_REWRITES) {
        if (text.split(from).length !== 2)
          throw new Error(`${HTTP_CLIENT} no longer has ${from} once; update HTTP_CLIENT_REWRITES.`)
        text = text.replace(from, to)
      }
      if (/\bProxyAgent\b/.test(text.replace("require('undici').ProxyAgent", '')))
        throw new Error(`${HTTP_CLIENT} uses ProxyAgent where this build does not expect it.`)
      return { contents: text, loader: 'js' }
    })
  }
}

// @actions/core imports its OIDC client (and with it @actions/http-client and all of undici, ~800 KB to
// compile) for getIDToken alone, which the action never calls at start: the build imports it there, on
// the call, so it lands in a chunk of its own (ADR 0229). Fails if core.js changes shape.
const CORE = join('node_modules', '@actions', 'core', 'lib', 'core.js')
const CORE_REWRITES = [
  ["import { OidcClient } from './oidc-utils.js';", ''],
  [
    'return yield OidcClient.getIDToken(aud);',
    "return yield (yield import('./oidc-utils.js')).OidcClient.getIDToken(aud);"
  ]
]
const oidcOnCall = {
  name: '@actions/core: the OIDC client imported when a token is asked for',
  setup(build) {
    build.onLoad({ filter: /@actions[\\/]core[\\/]lib[\\/]core\.js$/ }, async args => {
      if (!isProjectFile(args.path, CORE)) return undefined
      let text = await readFile(args.path, 'utf8')
      for (const [from, to] of CORE_REWRITES) {
        if (text.split(from).length !== 2)
          throw new Error(`${CORE} no longer has ${from} once; update CORE_REWRITES.`)
        text = text.replace(from, to)
      }
      if (/\bOidcClient\b/.test(text.replace("(yield import('./oidc-utils.js')).OidcClient", '')))
        throw new Error(`${CORE} uses OidcClient where this build does not expect it.`)
      return { contents: text, loader: 'js' }
    })
  }
}

// What both bundles share: ESM for Node 24, code split into chunks/, legal comments kept, a metafile for
// licenses.txt (scripts/licenses.mjs), and a real require for the CommonJS dependencies that call it for
// Node built-ins.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: false,
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true
}
const REQUIRE =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"

// The action (action.yml runs dist/index.js).
async function buildAction() {
  const result = await build({
    ...common,
    // The verify pool's worker is an entry point of its own, in chunks/ beside the chunk that starts
    // it (src/engine/verify-pool/pool.ts, ADR 0140). Code splitting keeps @actions/artifact out of the
    // start-up path: it is imported only when a step uses an artifact.
    entryPoints: { index: 'src/index.ts', 'chunks/verify-worker': VERIFY_WORKER },
    outdir,
    plugins: [versionOnly, withoutCrashPoints, httpClientAtStart, oidcOnCall],
    banner: { js: REQUIRE }
  })
  await writeFile(join(outdir, 'licenses.txt'), licensesText(result.metafile))
}

// The command line host (src/cli/, ADR 0200): a bundle of its own in dist/cli/, all dependencies inside, so
// `license-backup` runs on Node alone. Its verify worker sits in its chunks/ as the action's does.
async function buildCli() {
  const cli = await build({
    ...common,
    entryPoints: { 'license-backup': 'src/cli/index.ts', 'chunks/verify-worker': VERIFY_WORKER },
    outdir: join(outdir, 'cli'),
    plugins: [versionOnly, withoutCrashPoints],
    banner: { js: `#!/usr/bin/env node\n${REQUIRE}` }
  })
  await writeFile(join(outdir, 'cli', 'licenses.txt'), licensesText(cli.metafile))
  // npm links the bin to this file: it runs as a program of its own.
  await chmod(join(outdir, 'cli', 'license-backup.js'), 0o755)
}

// The engine as a library (ADR 0205), `license-backup/engine` in package.json's exports: its public API,
// src/engine/index.ts, bundled with its dependencies into dist/engine/ so that installing the package
// installs nothing else, its verify worker in its chunks/ beside the chunk that starts it, and the API's
// type declarations (ADR 0206).
async function buildEngine() {
  const engine = await build({
    ...common,
    entryPoints: { index: 'src/engine/index.ts', 'chunks/verify-worker': VERIFY_WORKER },
    outdir: join(outdir, 'engine'),
    plugins: [versionOnly, withoutCrashPoints],
    banner: { js: REQUIRE }
  })
  await writeFile(join(outdir, 'engine', 'licenses.txt'), licensesText(engine.metafile))
  await writeEngineTypes(join(outdir, 'engine'))
}

const BUNDLES = { action: buildAction, cli: buildCli, engine: buildEngine }
if (only !== undefined && !Object.hasOwn(BUNDLES, only))
  throw new Error(`No bundle named ${only}: name one of ${Object.keys(BUNDLES).join(', ')}, or none for all.`)
for (const [name, make] of Object.entries(BUNDLES)) if (only === undefined || only === name) await make()
