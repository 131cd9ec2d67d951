// Runs around every test (jest setupFilesAfterEnv): everything the code under test writes to stdout,
// stderr or the console is scanned for secrets, and one hit fails the test (issue 7, README: no license
// bytes, tokens or identities in any log). Tests add their service tokens with `registerSecret`; license
// bytes (any compact JWS) and age identities are recognised by their shape.
import { afterEach, beforeEach, expect } from '@jest/globals'

const JWS = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/
const AGE_IDENTITY = /AGE-SECRET-KEY-1[0-9A-Z]{20,}/

const registry = ((globalThis as Record<string, unknown>)['__licenseBackupSecrets'] ??=
  new Set<string>()) as Set<string>
let captured: string[] = []

export function registerSecret(secret: string): void {
  if (secret.length >= 6) registry.add(secret)
}

/** The secrets found in a text (a child process's output, a summary file): empty when clean. */
export function findSecrets(text: string): string[] {
  // `::add-mask::<secret>` is how a secret is handed to the runner, which shows it to nobody.
  text = text
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
  const hits: string[] = []
  if (JWS.test(text)) hits.push('license bytes (a compact JWS)')
  if (AGE_IDENTITY.test(text)) hits.push('an age identity')
  for (const secret of registry)
    if (text.includes(secret)) hits.push(`a registered secret (${secret.length} chars)`)
  return hits
}

export function expectNoSecrets(text: string, where: string): void {
  expect({ where, secrets: findSecrets(text) }).toEqual({ where, secrets: [] })
}

type Write = typeof process.stdout.write
const originalStdout = process.stdout.write.bind(process.stdout) as Write
const originalStderr = process.stderr.write.bind(process.stderr) as Write

function tap(original: Write): Write {
  return ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString())
    return (original as (...a: unknown[]) => boolean)(chunk, ...rest)
  }) as Write
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const
const originalConsole = Object.fromEntries(CONSOLE_METHODS.map(m => [m, console[m]])) as Record<
  (typeof CONSOLE_METHODS)[number],
  (...args: unknown[]) => void
>

beforeEach(() => {
  captured = []
  process.stdout.write = tap(originalStdout)
  process.stderr.write = tap(originalStderr)
  for (const method of CONSOLE_METHODS) {
    console[method] = (...args: unknown[]) => {
      captured.push(args.map(String).join(' '))
      originalConsole[method].apply(console, args)
    }
  }
})

afterEach(() => {
  process.stdout.write = originalStdout
  process.stderr.write = originalStderr
  for (const method of CONSOLE_METHODS) console[method] = originalConsole[method]
  expectNoSecrets(captured.join(''), 'the log of this test')
})
