/** The UTC timestamp tag of a pushed backup, `YYYYMMDDTHHMMSSZ` (ADR 0101). */
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

export function timestampTag(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '')
}

/** The time a timestamp tag names; undefined for any other tag (or an impossible date). */
export function parseTimestampTag(tag: string): Date | undefined {
  const match = STAMP.exec(tag)
  if (!match) return undefined
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number]
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s))
  return timestampTag(at) === tag ? at : undefined
}
