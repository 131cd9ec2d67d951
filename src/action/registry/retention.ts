/** The `keep` policy of a registry backup step: restic `forget` rules over timestamped backups. */
export interface KeepPolicy {
  last?: number
  daily?: number
  weekly?: number
  monthly?: number
}

export type KeepRule = keyof KeepPolicy
export const KEEP_RULES: readonly KeepRule[] = ['last', 'daily', 'weekly', 'monthly']

export interface Stamped {
  tag: string
  time: Date
}

export interface RetentionDecision<T extends Stamped> {
  /** Newest first, each with the rules that keep it. */
  keep: (T & { reasons: KeepRule[] })[]
  /** Newest first. */
  remove: T[]
}

/**
 * restic's `forget` semantics: `last N` keeps the N newest; `daily N` keeps the newest backup of each of
 * the N most recent days that have one (likewise ISO weeks and months, in UTC). A backup is kept when any
 * rule keeps it; everything else is removed.
 */
export function selectRetention<T extends Stamped>(backups: T[], policy: KeepPolicy): RetentionDecision<T> {
  const newestFirst = [...backups].sort(
    (a, b) => b.time.getTime() - a.time.getTime() || (a.tag < b.tag ? 1 : -1)
  )
  const reasons = new Map<T, KeepRule[]>()
  for (const rule of KEEP_RULES) {
    const wanted = policy[rule] ?? 0
    let kept = 0
    let lastBucket: string | undefined
    for (const backup of newestFirst) {
      if (kept >= wanted) break
      const bucket = BUCKETS[rule](backup)
      if (bucket === lastBucket) continue
      lastBucket = bucket
      kept++
      reasons.set(backup, [...(reasons.get(backup) ?? []), rule])
    }
  }
  return {
    keep: newestFirst.filter(b => reasons.has(b)).map(b => ({ ...b, reasons: reasons.get(b) ?? [] })),
    remove: newestFirst.filter(b => !reasons.has(b))
  }
}

const BUCKETS: Record<KeepRule, (backup: Stamped) => string> = {
  last: backup => backup.tag,
  daily: backup => backup.time.toISOString().slice(0, 10),
  weekly: backup => isoWeek(backup.time),
  monthly: backup => backup.time.toISOString().slice(0, 7)
}

/** `2024-W01`: the ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(time: Date): string {
  const day = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()))
  const weekday = day.getUTCDay() || 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday)
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1)
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7)
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}
