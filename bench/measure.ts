import { spawn } from 'node:child_process'
import { findOnPath } from '../src/fixtures/tools.js'

/** GNU time on PATH: `time` on Linux, Homebrew's `gtime` (gnu-time) on macOS, whose own `time` has no -f. */
const GNU_TIME = process.platform === 'linux' ? findOnPath('time') : findOnPath('gtime')

export function hasGnuTime(): boolean {
  return GNU_TIME !== undefined
}

export interface Sample {
  ms: number
  /** Peak resident set size of the measured process, MB (GNU time's %M). */
  rssMb: number
}

/**
 * Runs a command under GNU time, returning its wall time and peak RSS. Throws on a non-zero exit. Without
 * GNU time the command runs bare and its RSS is reported as 0 (unknown).
 */
export function timeCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const gnu = hasGnuTime()
    const child = spawn(
      gnu ? (GNU_TIME as string) : command,
      gnu ? ['-f', '__TIME__ %M', command, ...args] : args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stderr = ''
    let stdout = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => {
      const ms = performance.now() - started
      const match = /__TIME__ (\d+)/.exec(stderr)
      if (code !== 0 || (gnu && !match)) {
        reject(
          new Error(
            `${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)} ${stdout.slice(-500)}`
          )
        )
        return
      }
      resolve({ ms, rssMb: match ? Number(match[1]) / 1024 : 0 })
    })
  })
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** Runs `once` `reps` times (after `prepare` each time, unmeasured) and keeps the median time and peak RSS. */
export async function repeat(
  reps: number,
  once: () => Promise<Sample>,
  prepare?: () => Promise<void>
): Promise<Sample> {
  const samples: Sample[] = []
  for (let i = 0; i < reps; i++) {
    await prepare?.()
    samples.push(await once())
  }
  return medianOf(samples)
}

/** The median time and the largest peak RSS of some samples. */
export function medianOf(samples: Sample[]): Sample {
  return { ms: median(samples.map(s => s.ms)), rssMb: Math.max(...samples.map(s => s.rssMb)) }
}
