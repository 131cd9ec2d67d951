// The license-server command as a separate process (`serve`), for tests that kill it or run several.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'

export interface ServerProcess {
  url: string
  child: ChildProcess
  /** SIGKILL: no chance to finish anything. */
  kill9(): Promise<void>
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>
}

export async function startServerProcess(options: {
  issuerFile: string
  database: string
  port?: number
  args?: string[]
}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      'scripts/run-ts.mjs',
      'scripts/license-server.ts',
      'serve',
      '--issuer',
      options.issuerFile,
      '--database',
      options.database,
      '--port',
      String(options.port ?? 0),
      '--rate-limit',
      'off',
      ...(options.args ?? [])
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const exited = once(child, 'exit') as Promise<[number | null]>
  const lines = createInterface({ input: child.stdout })
  const first = await Promise.race([
    once(lines, 'line') as Promise<[string]>,
    exited.then(([code]) => [`exit ${code}`])
  ])
  const url = first[0] as string
  if (!url.startsWith('http://')) throw new Error(`license-server did not start: ${url}`)
  // The request log is read and dropped, so the pipe never fills.
  lines.on('line', () => undefined)
  return {
    url,
    child,
    kill9: async () => {
      child.kill('SIGKILL')
      await exited
    },
    stop: async () => {
      child.kill('SIGTERM')
      return (await exited)[0]
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}
