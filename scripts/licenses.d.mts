// Types of scripts/licenses.mjs (plain JavaScript, since scripts/build.mjs imports it), for the tests.
import type { Metafile } from 'esbuild'

export function packageDirOf(input: string): string | undefined
export function bundledPackageDirs(metafile: Pick<Metafile, 'inputs'>): string[]
export function licensesText(metafile: Pick<Metafile, 'inputs'>, root?: string): string
