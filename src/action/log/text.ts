/**
 * The one way outside text (claims, titles, file names, paths, URLs, service and error messages) reaches
 * the job log (ADR 0070). A `LogText` is built only by the `logText` tagged template: its literal parts are
 * the action's own words, and every interpolated value is neutralised, so no value can start a line, end
 * one, or carry a runner command. The log writer (`write.ts`) takes nothing else.
 *
 * The runner reads stdout a line at a time and treats a line whose trimmed text starts with `::` as a
 * workflow command, and `##[` anywhere in a line as a legacy one; the log viewer also breaks lines at
 * U+2028/U+2029 and NEL. So a value's line breaks and other control characters are written as visible
 * escapes (`\n`, `\r`, `\u2028`), and the two command markers are split by a zero-width space, which no
 * runner trims.
 */

const brand: unique symbol = Symbol('LogText')

/** One log line (or annotation text) whose outside parts are neutralised. */
export interface LogText {
  readonly [brand]: string
}

export type LogValue = string | number | boolean | LogText

const ZERO_WIDTH_SPACE = '\u200b'

/**
 * C0 and C1 controls (but tab), DEL, the Unicode line and paragraph separators, and the bidirectional
 * overrides and isolates (which reorder what a reader sees). Carriage return, line feed, vertical tab,
 * form feed, the information separators U+001C–U+001E and NEL (U+0085) are all line breaks to someone.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r' }

/** A value as it may appear inside one log line: nothing in it breaks the line or hides text. */
export function neutralise(value: string): string {
  return value.replace(UNSAFE, c => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Splits the command markers of a whole line: `##[` anywhere, `::` where the trimmed line starts. */
export function disarm(line: string): string {
  return line.replace(/##\[/g, `##${ZERO_WIDTH_SPACE}[`).replace(/^(\s*):(?=:)/u, `$1:${ZERO_WIDTH_SPACE}`)
}

/**
 * `logText\`Skipped license ${jti}\``. The whole line is neutralised once put together, literal parts
 * included: one log call is one line, and a marker split across a value and a literal is still caught.
 */
export function logText(strings: TemplateStringsArray, ...values: LogValue[]): LogText {
  let line = strings[0] ?? ''
  for (const [i, value] of values.entries()) {
    line += (typeof value === 'object' ? value[brand] : String(value)) + (strings[i + 1] ?? '')
  }
  return { [brand]: disarm(neutralise(line)) }
}

/** Joins already neutralised parts with a separator of the action's own. */
export function joinLogText(parts: readonly LogText[], separator: string): LogText {
  return { [brand]: disarm(neutralise(parts.map(part => part[brand]).join(separator))) }
}

/** The line to write. Only the log writer calls it. */
export function lineOf(text: LogText): string {
  return text[brand]
}
