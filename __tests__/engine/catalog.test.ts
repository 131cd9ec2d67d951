import { afterEach, describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { restrictedLicenseMessage, restrictedSummaryMessage } from '../../src/engine/index.js'
import { loadCatalog, parseCatalog } from '../../src/engine/catalog/catalog.js'
import { tempDirs } from '../support/engine.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

describe('catalog', () => {
  it('reads CSV with quoted fields, commas, quotes, line breaks, CRLF, extra columns and a BOM', () => {
    const text =
      '\uFEFFkey_id,title,year\r\nk1,"Blue Train",1957\r\nk2,"Kind of Blue, Remastered",1959\r\n\r\nk3,"The ""Köln"" Concert"\nk4,"Two\nLines"\n'
    expect([...parseCatalog(text, 'c.csv')]).toEqual([
      ['k1', 'Blue Train'],
      ['k2', 'Kind of Blue, Remastered'],
      ['k3', 'The "Köln" Concert'],
      ['k4', 'Two\nLines']
    ])
  })

  it('reads JSON as an object or an array', () => {
    expect([...parseCatalog('{"k1": "Blue Train"}', 'c.json')]).toEqual([['k1', 'Blue Train']])
    expect([...parseCatalog('[{"key_id": "k1", "title": "Blue Train"}]', 'catalog')]).toEqual([
      ['k1', 'Blue Train']
    ])
  })

  it.each([
    ['a bad header', 'id,name\nk1,x\n', 'line 1'],
    ['a row without a title', 'key_id,title\nk1,x\nk2\n', 'line 3'],
    ['an empty key_id', 'key_id,title\n,x\n', 'line 2'],
    ['an unterminated quote', 'key_id,title\nk1,x\nk2,"open\n', 'line 3'],
    ['a stray quote', 'key_id,title\nk1,ab"c\n', 'line 2'],
    ['text after a closing quote', 'key_id,title\nk1,"a"b\n', 'line 2'],
    ['a key with two titles', 'key_id,title\nk1,a\nk1,b\n', 'line 3']
  ])('CSV with %s is CONFIG_INVALID naming the file and line', async (_name, text, line) => {
    const dir = await dirs.make()
    const file = join(dir, 'catalog.csv')
    await writeFile(file, text)
    await expect(loadCatalog(file)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(`${file}, ${line}`)
    })
  })

  it.each([
    ['broken JSON', '{\n"k1": "a",\n"k2" "b"\n}', 'line 3'],
    ['a non-string title', '{\n"k1": 5\n}', 'key "k1" (line 2)'],
    ['an array item without key_id', '[\n{"title": "x"}\n]', 'item 1'],
    ['a scalar', '5', 'line 1']
  ])('JSON with %s is CONFIG_INVALID naming where', (_name, text, where) => {
    expect(() => parseCatalog(text, 'c.json')).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(`c.json, ${where}`)
      })
    )
  })

  it('is CONFIG_INVALID naming a missing file', async () => {
    await expect(loadCatalog('/nonexistent/catalog.csv')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('/nonexistent/catalog.csv')
    })
  })
})

describe('restricted-license messages', () => {
  it('names a title and key ID when the catalog knows the title', () => {
    expect(restrictedLicenseMessage({ key_id: '6f1c9a', title: 'Blue Train' })).toBe(
      '"Blue Train" (key ID 6f1c9a) cannot be backed up: its owner does not allow it'
    )
  })
  it('names the key ID and license ID without a title', () => {
    expect(restrictedLicenseMessage({ key_id: '6f1c9a', jti: 'lic-1' })).toBe(
      'A license (key ID 6f1c9a, license ID lic-1) cannot be backed up: its owner does not allow it'
    )
  })
  it('summarises', () => {
    expect(restrictedSummaryMessage(3)).toBe('3 licenses cannot be backed up: their owners do not allow it')
    expect(restrictedSummaryMessage(1)).toBe('1 license cannot be backed up: its owner does not allow it')
  })
})
