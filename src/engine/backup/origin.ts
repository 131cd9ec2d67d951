import { hostname } from 'node:os'
import type { Origin } from '../format/manifest-v2.js'

/** The origin recorded when the host gives none: this machine's name (docs/format.md). */
export function defaultOrigin(): Origin {
  return { host: hostname() }
}

/**
 * One line saying where and when a backup was made, for restore and verify logs:
 * "backup of acme/licenses, nightly.yml on main at 1a2b3c4, run 4242, 3 days old".
 */
export function describeOrigin(untrusted: Origin, created: string, now: number): string {
  // The manifest is outside text: no line breaks or control characters, no workflow-command markers.
  const origin = Object.fromEntries(Object.entries(untrusted).map(([key, value]) => [key, clean(value)]))
  const parts: string[] = []
  if (origin['repository']) parts.push(`backup of ${origin['repository']}`)
  else if (origin['host']) parts.push(`backup made on ${origin['host']}`)
  else parts.push('backup of unknown origin')
  const where = [
    origin['workflow'],
    origin['ref'] ? `on ${origin['ref']}` : undefined,
    origin['sha'] ? `at ${origin['sha'].slice(0, 7)}` : undefined
  ].filter(Boolean)
  if (where.length > 0) parts.push(where.join(' '))
  if (origin['run_id'])
    parts.push(
      `run ${origin['run_id']}${origin['run_attempt'] && origin['run_attempt'] !== '1' ? ` (attempt ${origin['run_attempt']})` : ''}`
    )
  parts.push(age(Date.parse(created), now))
  return parts.join(', ')
}

function age(created: number, now: number): string {
  if (Number.isNaN(created)) return 'of unknown age'
  const hours = Math.floor((now - created) / 3_600_000)
  if (hours < 0) return 'dated in the future'
  if (hours < 1) return 'less than an hour old'
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} old`
  return `${Math.floor(hours / 24)} days old`
}

function clean(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
      .replace(/##\[/g, '# #[')
      .replace(/::/g, ': :')
      .slice(0, 200)
  )
}
