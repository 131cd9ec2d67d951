import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

/**
 * Runs the built action (`dist/index.js`) the way a GitHub runner does: a child Node process with the
 * action's inputs as `INPUT_*` variables, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and `GITHUB_STATE` files,
 * and the run's context variables; with `post`, as its post step (`runs.post`), which gets what the main
 * step saved as `STATE_*` variables. Used by the local demo and the end-to-end test.
 */
export interface RunnerOptions {
  /** The action's inputs by their action.yml names. */
  inputs: Record<string, string>
  /** A folder for the runner's files (outputs, summary, temp). */
  runnerDir: string
  /** Extra environment: secrets the steps file names, the artifact service's variables. */
  env?: Record<string, string>
  /** Working directory of the step (the workspace). */
  cwd?: string
  /** Receives the log as it is written, line by line. */
  onLine?: (line: string) => void
  entry?: string
  /** Run as the post step of the main run made earlier with the same `runnerDir`. */
  post?: boolean
}

export interface RunnerResult {
  exitCode: number
  log: string
  outputs: Record<string, string>
  summary: string
}

export async function runAction(options: RunnerOptions): Promise<RunnerResult> {
  await mkdir(join(options.runnerDir, 'temp'), { recursive: true })
  const outputFile = join(options.runnerDir, 'output.txt')
  const summaryFile = join(options.runnerDir, 'step-summary.md')
  const stateFile = join(options.runnerDir, 'state.txt')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  const saved = options.post ? parseOutputs(await readFile(stateFile, 'utf8')) : {}
  if (!options.post) await writeFile(stateFile, '')
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    ...Object.fromEntries(Object.entries(saved).map(([name, value]) => [`STATE_${name}`, value])),
    RUNNER_TEMP: join(options.runnerDir, 'temp'),
    GITHUB_WORKSPACE: options.cwd ?? process.cwd(),
    GITHUB_REPOSITORY: 'octo-org/licenses',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'license-backup',
    GITHUB_WORKFLOW: 'nightly.yml',
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  const entry = options.entry ?? resolve('dist/index.js')
  const { exitCode, log } = await new Promise<{ exitCode: number; log: string }>((done, fail) => {
    const child = spawn(process.execPath, [entry], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let log = ''
    let pending = ''
    const take = (chunk: Buffer): void => {
      const text = chunk.toString()
      log += text
      pending += text
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) options.onLine?.(line)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.on('error', fail)
    child.on('close', code => {
      if (pending) options.onLine?.(pending)
      done({ exitCode: code ?? 1, log })
    })
  })
  return {
    exitCode,
    log,
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8')
  }
}

/** Reads a GITHUB_OUTPUT file: `name<<DELIMITER` blocks, as @actions/core writes them. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!match) continue
    const [, name, delimiter] = match as unknown as [string, string, string]
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '')
    outputs[name] = value.join('\n')
  }
  return outputs
}
