// Tests whose subject exists on some operating systems only. Each is skipped elsewhere with the reason in
// its name, so a skipped test says why; the rules themselves are covered on every OS by pure tests that
// simulate each OS (__tests__/support/os-semantics.ts).
import { it } from '@jest/globals'

type Test = Parameters<typeof it>[1]

/** `it` where `supported`, else `it.skip` with "(skipped on <os>: <reason>)" added to the test's name. */
export function itWhere(supported: boolean, reason: string) {
  return (name: string, fn: Test, timeout?: number): void => {
    if (supported) it(name, fn, timeout)
    else it.skip(`${name} (skipped on ${process.platform}: ${reason})`, fn, timeout)
  }
}

/** FIFOs, POSIX modes, `sh`: Linux and macOS. */
export const itOnPosix = (reason: string) => itWhere(process.platform !== 'win32', reason)

/** Windows ACLs, SIGBREAK. */
export const itOnWindows = (reason: string) => itWhere(process.platform === 'win32', reason)

/** GNU coreutils and Debian packages: Linux only. */
export const itOnLinux = (reason: string) => itWhere(process.platform === 'linux', reason)
