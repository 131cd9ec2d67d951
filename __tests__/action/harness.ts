/** Test support for run(): inputs and runner files through the real environment, stdout captured. */
import { jest } from '@jest/globals'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOutputs } from '../../src/local/runner.js'

export interface RunSandbox {
  dir: string
  /** Everything @actions/core wrote to stdout, line by line. */
  lines(): string[]
  /** Everything written to stdout, as written. */
  output(): string
  outputs(): Promise<Record<string, string>>
  /** What the run saved with core.saveState (the GITHUB_STATE file), for a post step to read. */
  state(): Promise<Record<string, string>>
  summary(): Promise<string>
  restore(): void
}

/**
 * Sets the action's inputs (`INPUT_*`), the runner's output and summary files and any extra env, and
 * captures stdout. `restore()` puts the environment and stdout back.
 */
export async function sandbox(
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): Promise<RunSandbox> {
  const saved = { ...process.env }
  process.exitCode = 0
  const dir = await mkdtemp(join(tmpdir(), 'lb-action-'))
  const outputFile = join(dir, 'github-output')
  const summaryFile = join(dir, 'step-summary')
  const stateFile = join(dir, 'github-state')
  await writeFile(stateFile, '')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  Object.assign(process.env, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/licenses',
    GITHUB_RUN_ID: '4242',
    GITHUB_JOB: 'nightly',
    GITHUB_RUN_ATTEMPT: '2',
    RUNNER_TEMP: dir,
    ...env
  })
  for (const [name, value] of Object.entries(inputs))
    process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  const written: string[] = []
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    written.push(String(chunk))
    return true
  })
  return {
    dir,
    lines: () =>
      written
        .join('')
        .split(/\r?\n/)
        .filter(line => line !== ''),
    output: () => written.join(''),
    outputs: async () => parseOutputs(await readFile(outputFile, 'utf8')),
    state: async () => parseOutputs(await readFile(stateFile, 'utf8')),
    summary: () => readFile(summaryFile, 'utf8'),
    restore: () => {
      stdout.mockRestore()
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
      process.exitCode = 0
    }
  }
}

/** Writes a steps file in the sandbox and returns its path. */
export async function stepsFile(dir: string, yaml: string, name = 'license-backup.yml'): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, yaml)
  return path
}
