import { execFile } from 'node:child_process'
import { join } from 'node:path'

export interface Ran {
  code: number
  stdout: string
  stderr: string
}

/** Builds the command into `dir` with the project's own build (scripts/build.mjs); returns its path. */
export async function buildCommand(dir: string): Promise<string> {
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ['scripts/build.mjs', dir, 'cli'], error =>
      error ? reject(error) : resolve()
    )
  )
  return join(dir, 'cli', 'license-backup.js')
}

/** Runs `file` with `args` in `cwd`, with `env` added to a bare environment (PATH alone). */
export function runFile(
  file: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {}
): Promise<Ran> {
  return new Promise(resolve => {
    execFile(
      file,
      args,
      { cwd, env: { PATH: process.env['PATH'] ?? '', ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolve({ code, stdout, stderr })
      }
    )
  })
}
