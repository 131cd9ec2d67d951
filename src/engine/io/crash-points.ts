/**
 * Named points where the crash-consistency harness may kill the process (issue 7). Set
 * LICENSE_BACKUP_CRASH_AT to `<name>` or `<name>#<n>` (the n-th time that point is passed) and the process
 * sends itself SIGKILL there, like a power cut: no cleanup, no finally blocks. Unset, this is a no-op
 * apart from counting. docs/reliability.md lists the points.
 */
const passed = new Map<string, number>()

export function crashPoint(name: string): void {
  const count = (passed.get(name) ?? 0) + 1
  passed.set(name, count)
  const target = process.env['LICENSE_BACKUP_CRASH_AT']
  if (!target) return
  const [point, nth] = target.split('#')
  if (point !== name) return
  if (nth !== undefined && Number(nth) !== count) return
  process.kill(process.pid, 'SIGKILL')
}

/** How often each point was passed in this process (the harness plans its kills from a clean run). */
export function crashPointsPassed(): Record<string, number> {
  return Object.fromEntries(passed)
}
