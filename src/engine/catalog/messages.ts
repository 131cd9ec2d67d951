/** The user-facing sentences about restricted licenses (docs/format.md). The action layer prints them. */

export interface RestrictedEntry {
  key_id: string
  jti?: string
  title?: string
}

/**
 * One restricted license: by title and key ID when the catalog knows it,
 * `"Blue Train" (key ID 6f1c…) cannot be backed up: its owner does not allow it`; else by key ID.
 */
export function restrictedLicenseMessage(entry: RestrictedEntry): string {
  if (entry.title !== undefined && entry.title !== '') {
    return `${JSON.stringify(entry.title)} (key ID ${entry.key_id}) cannot be backed up: its owner does not allow it`
  }
  const license = entry.jti === undefined ? '' : `, license ID ${entry.jti}`
  return `A license (key ID ${entry.key_id}${license}) cannot be backed up: its owner does not allow it`
}

/** The generic summary: `3 licenses cannot be backed up: their owners do not allow it`. */
export function restrictedSummaryMessage(count: number): string {
  if (count === 1) return '1 license cannot be backed up: its owner does not allow it'
  return `${count} licenses cannot be backed up: their owners do not allow it`
}
