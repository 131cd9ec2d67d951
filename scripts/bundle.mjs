// Bundles a TypeScript entry point with the project's sources for Node (dependencies stay external and
// resolve from node_modules): the demo, the reference server, the benchmarks and the crash tests' children
// run this way. The verify pool's worker is emitted beside the bundle, where the pool looks for it (ADR 0140).
import { build } from 'esbuild'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The verify pool's worker thread: its own entry point in every bundle of the engine. */
export const VERIFY_WORKER = fileURLToPath(
  new URL('../src/engine/verify-pool/verify-worker.ts', import.meta.url)
)

/**
 * Writes `entry` bundled to `outfile`, and the verify worker (`worker`, its source) as `verify-worker.js` in
 * the same folder.
 */
export async function bundle(entry, outfile, { worker = VERIFY_WORKER, ...options } = {}) {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    ...options
  }
  await build({ ...common, entryPoints: [entry], outfile })
  await build({ ...common, entryPoints: [worker], outfile: join(dirname(outfile), 'verify-worker.js') })
}
