// Types of scripts/bundle.mjs (plain JavaScript, since scripts/run-ts.mjs imports it), for the tests and benchmarks.
import type { BuildOptions } from 'esbuild'

export const VERIFY_WORKER: string
export function bundle(
  entry: string,
  outfile: string,
  options?: BuildOptions & { worker?: string }
): Promise<void>
