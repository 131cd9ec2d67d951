import { CsvError, parse } from 'csv-parse/sync'

/** One parsed CSV record and the line it ends on (1-based; a quoted field may span lines). */
export interface CsvRecord {
  line: number
  fields: string[]
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string
  ) {
    super(message)
  }
}

/** A row as csv-parse gives it with `info: true` (its types do not say so). */
interface InfoRow {
  record: string[]
  info: { lines: number }
}

/** What to say, in this project's words, for the syntax errors a catalog can have. */
const PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field; quote the field and double the quote',
  CSV_INVALID_CLOSING_QUOTE: 'text follows a closing quote; put the whole field in quotes'
}

/**
 * Parses CSV per RFC 4180 with csv-parse: fields separated by commas, records by CRLF or LF (mixed in one
 * file too), fields optionally in double quotes (which may hold commas, line breaks and `""` for a quote),
 * a leading BOM dropped, rows of any length. Blank lines are skipped. A syntax error is a CsvSyntaxError
 * with its line.
 */
export function parseCsv(text: string): CsvRecord[] {
  try {
    const rows = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
      info: true
    }) as unknown as InfoRow[]
    return rows.map(({ record, info }) => ({ line: info.lines, fields: record }))
  } catch (error) {
    if (!(error instanceof CsvError)) throw error
    const line = (error as CsvError & { lines?: number }).lines ?? 1
    throw new CsvSyntaxError(line, PROBLEMS[error.code] ?? error.message)
  }
}
