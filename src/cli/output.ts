import type { EngineEvent } from '../engine/index.js'
import { neutralise } from '../action/log/text.js'

/** Where the command writes: its lines, already neutralised, and its errors. */
export interface Output {
  json: boolean
  line(text: string): void
  error(text: string): void
}

/** A line of outside text safe for a terminal: no control character or escape sequence gets through. */
export function plain(text: string): string {
  return neutralise(text)
}

// JSON.stringify escapes C0 controls only; these are the rest of what neutralise() escapes (DEL, C1,
// line separators, bidirectional overrides), escaped the JSON way so a parser reads the same text back.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu

/** One JSON object on one line, nothing in it a terminal acts on. */
export function jsonLine(value: object): string {
  return JSON.stringify(value).replace(
    JSON_UNSAFE,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}

/** An engine event as the command prints it: its type, then its fields as `key=value` (docs/events.md). */
export function eventText(event: EngineEvent): string {
  const fields = Object.entries(event)
    .filter(([key]) => key !== 'type')
    .map(([key, value]) => `${key}=${quoted(String(value))}`)
  return plain([event.type, ...fields].join(' '))
}

function quoted(value: string): string {
  return /^[^\s"=]+$/u.test(value) ? value : JSON.stringify(value)
}

/** Writes an event: a text line, or with `--json` the event as one JSON line. */
export function writeEvent(out: Output, event: EngineEvent): void {
  out.line(out.json ? jsonLine(event) : eventText(event))
}

/** A step's outcome: a sentence of its own, or with `--json` a `RESULT` line holding the same numbers. */
export function writeResult(out: Output, text: string, result: Record<string, unknown>): void {
  out.line(out.json ? jsonLine({ type: 'RESULT', ...result }) : plain(text))
}
