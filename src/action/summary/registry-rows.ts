import type { RegistryRecord } from '../registry/steps.js'
import { html, joinHtml, link } from './html.js'
import type { Html } from './html.js'

const BR = html`<br />`

/** Where a backup was pushed or pulled (the package's page on GHCR), its digest and tags, and `keep`. */
export function registryRows(registry: RegistryRecord): [string, Html][] {
  const where = registry.link.startsWith('https://')
    ? link(registry.link, registry.repository)
    : html`<code>${registry.repository}</code>`
  const rows: [string, Html][] = [
    [registry.pushed ? 'Pushed to' : 'Pulled from', html`${where}${BR}<code>${registry.digest}</code>`]
  ]
  if (registry.tags.length) {
    rows.push([
      'Tags',
      joinHtml(
        registry.tags.map(tag => html`<code>${tag}</code>`),
        html`, `
      )
    ])
  }
  const keep = registry.keep
  if (!keep) return rows
  const kept = keep.kept.map(k => html`<code>${k.tag}</code> (${k.reasons.join(', ')})`)
  const deleted = keep.deleted.map(d => html`<code>${d.tag}</code> <code>${d.digest}</code>`)
  rows.push(['Kept', kept.length ? joinHtml(kept, BR) : html`none`])
  rows.push([
    keep.dryRun ? 'Would delete (dry run)' : 'Deleted',
    deleted.length ? joinHtml(deleted, BR) : html`none`
  ])
  const failed = keep.failed.map(f => html`<code>${f.tag}</code> <code>${f.digest}</code>`)
  if (failed.length) rows.push(['Not deleted (see the warnings)', joinHtml(failed, BR)])
  const future = keep.future.map(f => html`<code>${f.tag}</code>`)
  if (future.length) rows.push(['Dated in the future (kept, not counted)', joinHtml(future, BR)])
  return rows
}
