import { createHash } from 'node:crypto'

/** Bytes of an entry's SHA-256 kept: a substitute entry must collide in 64 bits of SHA-256. */
const PRINT_BYTES = 8

/**
 * What the first reading of a pack found, member by member, in 8 bytes each (ADR 0130): a second
 * reading checks that each member is the one found there before, without holding the entries.
 */
export class EntryPrints {
  private bytes = Buffer.alloc(PRINT_BYTES * 1024)
  private count = 0

  get length(): number {
    return this.count
  }

  push(entryText: string): void {
    if ((this.count + 1) * PRINT_BYTES > this.bytes.length) {
      const grown = Buffer.alloc(this.bytes.length * 2)
      this.bytes.copy(grown)
      this.bytes = grown
    }
    print(entryText).copy(this.bytes, this.count * PRINT_BYTES)
    this.count++
  }

  /** Whether member `index` of the first reading had this entry text. */
  matches(index: number, entryText: string): boolean {
    if (index >= this.count) return false
    const at = index * PRINT_BYTES
    return print(entryText).equals(this.bytes.subarray(at, at + PRINT_BYTES))
  }
}

function print(text: string): Buffer {
  return createHash('sha256').update(text).digest().subarray(0, PRINT_BYTES)
}
