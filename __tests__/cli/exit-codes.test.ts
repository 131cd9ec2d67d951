import { describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { ERROR_CODES } from '../../src/engine/index.js'
import { EXIT_CODES, EXIT_FAILED, EXIT_USAGE } from '../../src/cli/exit-codes.js'

/** The rows of docs/errors.md's exit code table: code number → its meaning's first word or `CODE`. */
async function documented(): Promise<Map<number, string>> {
  const text = await readFile('docs/errors.md', 'utf8')
  const section = text.split('## Exit codes of the command line')[1]?.split('\n## ')[0] ?? ''
  const rows = new Map<number, string>()
  for (const match of section.matchAll(/^\| (\d+) +\| (\S+)/gm)) rows.set(Number(match[1]), match[2]!)
  return rows
}

describe('the command line exit codes', () => {
  it('gives every error class a code of its own, distinct from 0, 1 and 2', () => {
    expect(Object.keys(EXIT_CODES).sort()).toEqual([...ERROR_CODES].sort())
    const numbers = Object.values(EXIT_CODES)
    expect(new Set(numbers).size).toBe(numbers.length)
    expect(numbers.filter(n => n <= 2)).toEqual([])
  })

  it('are the table of docs/errors.md, row for row', async () => {
    const rows = await documented()
    expect(rows.get(0)).toBe('every')
    expect(rows.get(EXIT_FAILED)).toBe('failed')
    expect(rows.get(EXIT_USAGE)).toBe('usage:')
    for (const [code, exit] of Object.entries(EXIT_CODES))
      expect(rows.get(exit)?.replace(/[`:]/g, '')).toBe(code)
    expect(rows.size).toBe(ERROR_CODES.length + 3)
  })
})
