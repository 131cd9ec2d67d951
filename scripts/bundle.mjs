// Bundles a TypeScript entry point with the project's sources for Node (dependencies stay external and
// resolve from node_modules, the workspace's packages are bundled): the demo, the reference server, the benchmarks and the crash tests' children
// run this way. The verify pool's worker is emitted beside the bundle, where the pool looks for it (ADR 0140).
import { build } from 'esbuild'
import { randomBytes } from 'node:crypto'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The verify pool's worker thread: its own entry point in every bundle of the engine. */
export const VERIFY_WORKER = fileURLToPath(
  new URL('../src/engine/verify-pool/verify-worker.ts', import.meta.url)
)

/**
 * Dependencies stay external and load from node_modules; the workspace's own packages (`@license-backup/…`,
 * TypeScript sources, ADR 0201) are bundled like the project's other sources.
 */
const dependenciesExternal = {
  name: 'dependencies external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, args =>
      args.kind === 'entry-point' || args.path.startsWith('@license-backup/')
        ? undefined
        : { path: args.path, external: true }
    )
  }
}

/**
 * Writes `entry` bundled to `outfile`, and the verify worker (`worker`, its source) as `verify-worker.js` in
 * the same folder. Each file is written under a name of this process's and renamed into place, so processes
 * bundling the same entry at once (several services started together) each import a whole file.
 */
export async function bundle(entry, outfile, { worker = VERIFY_WORKER, ...options } = {}) {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    plugins: [dependenciesExternal],
    logLevel: 'warning',
    ...options
  }
  await buildInPlace({ ...common, entryPoints: [entry], outfile })
  await buildInPlace({
    ...common,
    entryPoints: [worker],
    outfile: join(dirname(outfile), 'verify-worker.js')
  })
}

async function buildInPlace(options) {
  const { outputFiles } = await build({ ...options, write: false })
  for (const file of outputFiles) {
    await mkdir(dirname(file.path), { recursive: true })
    const partial = `${file.path}.${process.pid}-${randomBytes(4).toString('hex')}`
    await writeFile(partial, file.contents)
    await rename(partial, file.path)
  }
}
