import type { EngineEvent, Phrasebook } from '../engine/index.js'
import { disarm, neutralise } from '../action/log/text.js'
import { inWords } from './phrase.js'

/** Where the command writes: its lines, already neutralised, and its errors. */
export interface Output {
  json: boolean
  /** How this command words the engine's options: its flags, or (`run`) the steps file's keys. */
  words: Phrasebook
  line(text: string): void
  error(text: string): void
}

/**
 * A line of outside text safe for a terminal: no control character or escape sequence gets through, and
 * no workflow command either, for the command run inside a GitHub Actions job.
 */
export function plain(text: string): string {
  return disarm(neutralise(text))
}

// JSON.stringify escapes C0 controls only; these are the rest of what neutralise() escapes (DEL, C1,
// line separators, bidirectional overrides), escaped the JSON way so a parser reads the same text back.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu

/**
 * One JSON object on one line, nothing in it a terminal or a runner acts on: a string's `##[` (a legacy
 * workflow command anywhere in a line) is written `##\u005b`, which a parser reads back as `##[`.
 */
export function jsonLine(value: object): string {
  return JSON.stringify(value)
    .replace(JSON_UNSAFE, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replaceAll('##[', '##\\u005b')
}

/** An engine event as the command prints it: its type, then its fields as `key=value` (docs/events.md). */
export function eventText(event: { type: string; [field: string]: unknown }): string {
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
  if (event.type === 'WARNING') {
    // The warning in this command's words; with `--json`, its structure as well (ADR 0213).
    const message = inWords(event, out.words)
    out.line(out.json ? jsonLine({ ...event, message }) : eventText({ type: 'WARNING', message }))
    return
  }
  out.line(out.json ? jsonLine(event) : eventText(event))
}

/** A step's outcome: a sentence of its own, or with `--json` a `RESULT` line holding the same numbers. */
export function writeResult(out: Output, text: string, result: Record<string, unknown>): void {
  out.line(out.json ? jsonLine({ type: 'RESULT', ...result }) : plain(text))
}
