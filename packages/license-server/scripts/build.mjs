// Builds the `license-server` command into dist/license-server.js (ADR 0202): one ES module for Node 24
// with a shebang, everything bundled but `pg`, the package's one dependency, so an installed package runs
// on Node alone, with no TypeScript or esbuild. Run by `prepack`, so `npm pack` and `npm publish` ship it.
import { build } from 'esbuild'
import { chmod, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { licensesText } from '../../../scripts/licenses.mjs'

/** The repository's root: esbuild's working folder, so the metafile's inputs name node_modules/… there. */
const root = fileURLToPath(new URL('../../../', import.meta.url))
const outdir = join(root, 'packages', 'license-server', 'dist')

await rm(outdir, { recursive: true, force: true })
const result = await build({
  absWorkingDir: root,
  entryPoints: { 'license-server': 'packages/license-server/src/main.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  external: ['pg'],
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
  banner: { js: '#!/usr/bin/env node' }
})
await writeFile(join(outdir, 'licenses.txt'), licensesText(result.metafile, root))
// npm links the bin to this file: it runs as a program of its own.
await chmod(join(outdir, 'license-server.js'), 0o755)
