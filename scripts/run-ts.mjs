// Runs a TypeScript entry point (demo, reference server, benchmarks) without a separate compile step:
// esbuild bundles it with the project's sources into .build/ and Node imports the result. Dependencies stay
// external and resolve from node_modules.
import { bundle } from './bundle.mjs'
import { basename, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const [entry, ...args] = process.argv.slice(2)
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args…]')
  process.exit(2)
}
// Bundled into the repository's .build/, wherever it is run from, so dependencies resolve from its
// node_modules; a folder an entry point (named by its path from the root, as two may share a file name),
// so two scripts at once do not write the same verify worker.
const root = fileURLToPath(new URL('..', import.meta.url))
const name = basename(entry).replace(/\.ts$/, '')
const folder = relative(root, resolve(entry))
  .replace(/\.ts$/, '')
  .replace(/[\\/:]+/g, '-')
const outfile = resolve(root, '.build', folder, `${name}.mjs`)
await bundle(entry, outfile, { sourcemap: 'inline' })
process.argv = [process.argv[0], outfile, ...args]
await import(pathToFileURL(outfile).href)
