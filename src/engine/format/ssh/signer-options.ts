/**
 * The options field of an allowed_signers line, read as sshsig.c's sshsigopt_parse reads it: option names
 * case-insensitive, `cert-authority`, `namespaces="…"`, `valid-after="…"`, `valid-before="…"`, separated
 * by commas; each valued option at most once; values in double quotes (`\"` inside). ADR 0180.
 */
export interface SignerOptions {
  certAuthority: boolean
  /** The pattern list, as written between the quotes. */
  namespaces?: string
  /** Seconds since the epoch, as ssh-keygen compares them. */
  validAfter?: number
  validBefore?: number
}

/** The options, or the problem ssh-keygen reports for them (it then skips the line). */
export function parseSignerOptions(text: string): SignerOptions | { problem: string } {
  const options: SignerOptions = { certAuthority: false }
  let at = 0
  while (at < text.length) {
    const read = readOption(text, at, options)
    if (typeof read === 'string') return { problem: read }
    at = read
    if (at >= text.length) break
    if (text[at] !== ',') return { problem: 'it has an unknown option' }
    at++
    if (at >= text.length) return { problem: 'its options end in a comma' }
  }
  const { validAfter, validBefore } = options
  if (validAfter !== undefined && validBefore !== undefined && validBefore <= validAfter)
    return { problem: 'its valid-before is not after its valid-after' }
  return options
}

/** Reads the option at `at` into `options`: where it ends, or the problem. Nothing known: `at` itself. */
function readOption(text: string, at: number, options: SignerOptions): number | string {
  const lower = text.slice(at).toLowerCase()
  // opt_flag compares a prefix: `cert-authorityX` is the flag followed by an unknown option.
  if (lower.startsWith('cert-authority')) {
    options.certAuthority = true
    return at + 'cert-authority'.length
  }
  const name = (['namespaces', 'valid-after', 'valid-before'] as const).find(n => lower.startsWith(`${n}=`))
  if (name === undefined) return at
  const value = dequote(text, at + name.length + 1)
  if (typeof value === 'string') return value
  if (name === 'namespaces') {
    if (options.namespaces !== undefined) return 'it has namespaces twice'
    options.namespaces = value.text
    return value.end
  }
  const key = name === 'valid-after' ? 'validAfter' : 'validBefore'
  if (options[key] !== undefined) return `it has ${name} twice`
  const time = parseSshTime(value.text)
  if (time === undefined) return `its ${name} is not a time YYYYMMDD[HHMM[SS]][Z|UTC]`
  options[key] = time
  return value.end
}

/** opt_dequote: a value in double quotes, `\"` standing for a quote. */
function dequote(text: string, at: number): { text: string; end: number } | string {
  if (text[at] !== '"') return 'an option value does not start with a quote'
  let value = ''
  let i = at + 1
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && text[i + 1] === '"') i++
    value += text[i++]
  }
  if (i >= text.length) return 'an option value has no closing quote'
  return { text: value, end: i + 1 }
}

/**
 * misc.c's parse_absolute_time: `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, UTC when it ends in `Z`
 * or `UTC` (any case), else the local time zone's standard time (mktime with tm_isdst 0). Seconds, or
 * undefined when ssh-keygen refuses it (also a time before or at the epoch).
 */
export function parseSshTime(value: string): number | undefined {
  const utc = /^(.+?)(?:z|utc)$/i.exec(value)
  const digits = utc?.[1] ?? value
  if (!/^\d+$/.test(digits) || ![8, 12, 14].includes(digits.length)) return undefined
  const [y, mo, d, h = 0, mi = 0, s = 0] = (digits.match(/^(\d{4})|\d{2}/g) ?? []).map(Number)
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h > 23 || mi > 59 || s > 61) return undefined
  // Date.UTC normalises out-of-range days as timegm and mktime do (February 31 is March 3).
  const fields = Date.UTC(y!, mo! - 1, d!, h, mi, s)
  const ms = utc ? fields : fields + standardOffsetMinutes(y!) * 60_000
  return ms > 0 ? Math.floor(ms / 1000) : undefined
}

/** The local zone's offset from UTC outside summer time, in minutes west (Date's sign). */
function standardOffsetMinutes(year: number): number {
  return Math.max(new Date(year, 0, 1).getTimezoneOffset(), new Date(year, 6, 1).getTimezoneOffset())
}
