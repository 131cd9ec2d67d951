/** One parsed CSV record and the line it starts on (1-based). */
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

/**
 * Parses CSV per RFC 4180: fields separated by commas, records by CRLF or LF, fields optionally in double
 * quotes (which may hold commas, line breaks and `""` for a quote). Blank lines are skipped. A quote inside
 * an unquoted field, text after a closing quote, or an unterminated quote is a CsvSyntaxError with its line.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let line = 1
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  while (i < text.length) {
    const start = line
    const fields: string[] = []
    let atRecordEnd = false
    while (!atRecordEnd) {
      let field = ''
      if (text[i] === '"') {
        i++
        for (;;) {
          if (i >= text.length) throw new CsvSyntaxError(start, 'a quoted field is not closed')
          const char = text[i]!
          if (char === '"') {
            if (text[i + 1] === '"') {
              field += '"'
              i += 2
              continue
            }
            i++
            break
          }
          if (char === '\n') line++
          field += char
          i++
        }
        const next = text[i]
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(line, 'text follows a closing quote; put the whole field in quotes')
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"')
            throw new CsvSyntaxError(
              line,
              'a quote inside an unquoted field; quote the field and double the quote'
            )
          field += text[i]
          i++
        }
      }
      fields.push(field)
      if (text[i] === ',') {
        i++
        continue
      }
      if (text[i] === '\r') i++
      if (text[i] === '\n') {
        i++
        line++
      }
      atRecordEnd = true
    }
    if (fields.length === 1 && fields[0] === '') continue
    records.push({ line: start, fields })
  }
  return records
}
