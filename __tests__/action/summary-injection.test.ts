import { afterEach, describe, expect, it } from '@jest/globals'
import { HtmlRenderer, Parser } from 'commonmark'
import type { Node } from 'commonmark'
import { EventEmitter } from 'node:events'
import { LicenseBackupError } from '../../src/engine/errors.js'
import { run } from '../../src/main.js'
import { fakeEngine } from './fake-engine.js'
import type { FakeScript } from './fake-engine.js'
import { sandbox, stepsFile } from './harness.js'
import type { RunSandbox } from './harness.js'

// Summary injection (issue 10, item 6): no outside text changes the job summary's structure. GitHub renders
// the summary as CommonMark (GFM): what it renders is checked with a CommonMark parser.

/** Markdown that would render as a heading, a phishing link, a tracking image and raw HTML. */
const MARKDOWN = [
  'T\n\n# Heading\n\n[click here](https://phish.example)\n\n![](https://track.example/p.gif)\n\n',
  'T\r\n\r\n<img src="https://track.example/q.gif">\r\n\r\n',
  'T\n \n## Second\n',
  '</td></tr></table>\n\n# Broken out',
  '<script>alert(1)</script>',
  'T\u2028\u2029\u0085[x](https://phish.example)',
  '`code` *em* _em_ [ref]: https://phish.example'
]

let box: RunSandbox | undefined
afterEach(() => {
  box?.restore()
  box = undefined
})

async function summaryOf(yaml: string, script: FakeScript): Promise<string> {
  box = await sandbox({}, { LMS_TOKEN: 'token' })
  process.env['INPUT_CONFIG'] = await stepsFile(box.dir, yaml)
  await run({ createEngine: fakeEngine({ root: box.dir, ...script }).create, signals: new EventEmitter() })
  return box.summary()
}

function nodes(root: Node): Node[] {
  const found: Node[] = []
  const walker = root.walker()
  for (let step = walker.next(); step; step = walker.next()) if (step.entering) found.push(step.node)
  return found
}

/** The summary is one raw HTML block: CommonMark passes it through as written, with no markdown node in it. */
function expectOneHtmlBlock(summary: string): void {
  const document = new Parser().parse(summary)
  const types = nodes(document).map(node => node.type)
  expect(types).toEqual(['document', 'html_block'])
  expect(new HtmlRenderer().render(document)).toBe(summary.trimEnd() + '\n')
}

/** The anchors and images in the HTML: only the ones the action made. */
function tags(summary: string, tag: string): string[] {
  return [...summary.matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'gi'))].map(m => m[0])
}

const yaml = (path: string) => `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - backup: { path: ${JSON.stringify(path)} }
  - restore: { path: ${JSON.stringify(path)} }
`

describe('job summary: outside text cannot change its structure', () => {
  it.each(MARKDOWN)('titles, key IDs, jti, reasons, paths and messages holding %j', async hostile => {
    const summary = await summaryOf(yaml(`./b${hostile.replace(/[<>]/g, '')}`), {
      licenses: 1,
      restricted: [
        { keyId: hostile, licenseId: 'l1', title: hostile },
        { keyId: `k${hostile}`, licenseId: 'l2' }
      ],
      skipped: [{ jti: hostile, key_id: hostile, title: hostile, reason: hostile }],
      refusal: {
        keyId: hostile,
        licenseId: hostile,
        url: `https://lms.example.com/${hostile}`,
        message: hostile
      }
    })
    expect(summary).toContain('<h2>License backup</h2>')
    expectOneHtmlBlock(summary)
    expect(tags(summary, 'img')).toEqual([])
    expect(tags(summary, 'script')).toEqual([])
    // The one link the action made: the refusal's details, to the service's URL.
    expect(tags(summary, 'a')).toHaveLength(1)
    expect(tags(summary, 'a')[0]).toMatch(/^<a href="https:\/\/lms\.example\.com\//)
    expect(tags(summary, 'h3')).toHaveLength(2)
  })

  it.each(MARKDOWN)('a failed step whose error message holds %j', async hostile => {
    const summary = await summaryOf(yaml('./backup'), {
      fail: new LicenseBackupError('IO_ERROR', `cannot write ${hostile}`)
    })
    expect(summary).toMatch(/<td>failed: cannot write /)
    expectOneHtmlBlock(summary)
    expect(tags(summary, 'a')).toEqual([])
  })

  it('a refusal URL that is not http(s) is shown as text, not as a link', async () => {
    const summary = await summaryOf(yaml('./backup'), {
      licenses: 1,
      refusal: { keyId: 'k', licenseId: 'l', url: 'javascript:alert(document.cookie)' }
    })
    expectOneHtmlBlock(summary)
    expect(tags(summary, 'a')).toEqual([])
    expect(summary).toContain('details (<code>javascript:alert(document.cookie)</code>)')
  })

  it('a title keeps its text, escaped, with line breaks shown as \\n', async () => {
    const summary = await summaryOf(yaml('./backup'), {
      licenses: 1,
      restricted: [{ keyId: '6f1c', licenseId: 'l', title: 'Blue "Train"\n\n<b>x</b> & co' }]
    })
    expect(summary).toContain(
      'Blue &quot;Train&quot;\\n\\n&lt;b&gt;x&lt;/b&gt; &amp; co (key ID <code>6f1c</code>)'
    )
  })
})
