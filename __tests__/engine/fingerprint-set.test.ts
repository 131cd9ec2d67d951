import { describe, expect, it } from '@jest/globals'
import { EntryPrints } from '../../src/engine/flat/entry-prints.js'
import { FingerprintSet } from '../../src/engine/flat/fingerprint-set.js'

describe('FingerprintSet', () => {
  it('says a string is new once, and has it afterwards, across growth from a small start', () => {
    const set = new FingerprintSet(1)
    const names = Array.from({ length: 20_000 }, (_, i) => `collection-${i % 16}/lic-${i}.jwt`)
    expect(names.every(name => set.add(name))).toBe(true)
    expect(set.size).toBe(names.length)
    expect(names.every(name => set.has(name))).toBe(true)
    expect(names.some(name => set.add(name))).toBe(false)
    expect(set.has('collection-0/lic-20000.jwt')).toBe(false)
    expect(set.has('')).toBe(false)
  })
})

describe('EntryPrints', () => {
  it('matches each entry at its index only, and nothing past the last', () => {
    const prints = new EntryPrints()
    const entries = Array.from({ length: 3000 }, (_, i) => `["lic-${i}","k","p/${i}.jwt","00",${i}]\n`)
    for (const entry of entries) prints.push(entry)
    expect(prints.length).toBe(3000)
    expect(entries.every((entry, i) => prints.matches(i, entry))).toBe(true)
    expect(prints.matches(1, entries[0]!)).toBe(false)
    expect(prints.matches(3000, entries[0]!)).toBe(false)
  })
})
