import { format, resolveConfig } from 'prettier'

/** A Markdown table of `rows` under `header`, cells escaped so a `|` in a description stays in its cell. */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(cell => cell.replace(/\|/g, '\\|')).join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** `text` with the part between `<!-- name:start -->` and `<!-- name:end -->` replaced by `content`. */
export function replaceBetweenMarkers(text: string, name: string, content: string, file: string): string {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from)
    throw new Error(`${file} lacks the markers ${start} … ${end}; add them where ${name} go.`)
  return `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`
}

/** Markdown as `npm run format` leaves it, so a generated file passes `format:check` as written. */
export async function formatMarkdown(text: string, file: string): Promise<string> {
  const options = (await resolveConfig(file)) ?? {}
  return format(text, { ...options, filepath: file })
}
