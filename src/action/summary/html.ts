import { neutralise } from '../log/text.js'

/**
 * HTML for the job summary, built only by the `html` tagged template (ADR 0070): literal parts are the
 * action's markup, every value is outside text and is escaped. The summary is one CommonMark HTML block,
 * which only a blank line ends; so a value also loses its line breaks (shown as `\n`, as in the log), and no
 * value can end the block and have the rest read as markdown (headings, links, images).
 */
const brand: unique symbol = Symbol('Html')

export interface Html {
  readonly [brand]: string
}

export type HtmlValue = string | number | Html

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}

export function escapeHtml(text: string): string {
  return neutralise(text).replace(/[&<>"']/g, c => ENTITIES[c] ?? c)
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? ''
  for (const [i, value] of values.entries()) {
    out += (typeof value === 'object' ? value[brand] : escapeHtml(String(value))) + (strings[i + 1] ?? '')
  }
  return { [brand]: out }
}

export function joinHtml(parts: readonly Html[], separator: Html): Html {
  return { [brand]: parts.map(part => part[brand]).join(separator[brand]) }
}

/** A link only to an http(s) URL; anything else (`javascript:`, `data:`) is shown as text. */
export function link(url: string, label: HtmlValue): Html {
  const safe = URL.canParse(url) && ['http:', 'https:'].includes(new URL(url).protocol)
  return safe ? html`<a href="${url}">${label}</a>` : html`${label} (<code>${url}</code>)`
}

export function htmlOf(value: Html): string {
  return value[brand]
}
