import { isMap, isScalar, LineCounter, parseDocument } from 'yaml'
import type { Document, Node } from 'yaml'
import { ConfigError } from './config-error.js'
import type { Location } from './config-error.js'

/** A parsed steps file that can say where any of its parts is. */
export interface ParsedSteps {
  source: string
  file?: string
  doc: Document.Parsed
  /** The data, as plain JSON values. */
  data: unknown
  /** Where the node at `path` is (the nearest existing ancestor when it is missing). */
  locate(path: readonly (string | number)[]): Location
  /** Where the key `key` of the map at `path` is written (for unknown keys). */
  locateKey(path: readonly (string | number)[], key: string): Location
}

const HINTS: Record<string, string> = {
  TAB_AS_INDENT: ' Indent with spaces.',
  DUPLICATE_KEY: ' Remove one of them.'
}

/**
 * Parses the YAML keeping positions (LineCounter), so every later error can name line and column.
 * A syntax error is a ConfigError at its place.
 */
export function parseSteps(text: string, source: string, file?: string): ParsedSteps {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: true })
  const at = (offset: number): Location => {
    const { line, col } = lineCounter.linePos(offset)
    return { source, ...(file === undefined ? {} : { file }), line, column: col }
  }
  const first = doc.errors[0]
  if (first) {
    const message = first.message.split(/ at line \d+, column \d+/)[0] ?? first.message
    throw new ConfigError(
      `YAML syntax error: ${message} (${first.code}).${HINTS[first.code] ?? ''}`,
      at(first.pos[0])
    )
  }

  const nodeAt = (path: readonly (string | number)[]): Node | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
      if (node && typeof node === 'object' && 'range' in node && node.range) return node as Node
    }
    return undefined
  }
  const locate = (path: readonly (string | number)[]): Location => at(nodeAt(path)?.range?.[0] ?? 0)
  const locateKey = (path: readonly (string | number)[], key: string): Location => {
    const map = nodeAt(path)
    if (isMap(map)) {
      const pair = map.items.find(p => isScalar(p.key) && String(p.key.value) === key)
      if (pair && isScalar(pair.key) && pair.key.range) return at(pair.key.range[0])
    }
    return locate(path)
  }
  let data: unknown
  try {
    data = doc.toJS()
  } catch (error) {
    // The yaml library refuses alias chains that expand without bound ("billion laughs") with a plain
    // ReferenceError; a steps file that does that is the user's input gone wrong, so it is a ConfigError.
    throw new ConfigError(
      `the YAML cannot be read: ${(error as Error).message}. Write the values out instead of repeating aliases (*name).`,
      at(0)
    )
  }
  return { source, ...(file === undefined ? {} : { file }), doc, data, locate, locateKey }
}
