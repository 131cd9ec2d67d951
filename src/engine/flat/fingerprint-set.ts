/**
 * A set of 64-bit string fingerprints in one typed array (ADR 0130): 8 to 16 bytes a member where a
 * `Set<string>` holds the string itself and ~50 bytes of table, so a million names or license IDs take
 * ~16 MB. Two different strings can share a fingerprint (about one chance in 2^64 for a pair), so a hit
 * only says "maybe seen": a caller that must be exact confirms a hit the slow way (another pass over
 * its input, for the few strings that hit).
 */
export class FingerprintSet {
  /** Two 32-bit halves a slot; a slot of two zeros is empty (the low half is never zero). */
  private slots: Uint32Array
  private mask: number
  /** 32 less the capacity's bits: a slot is the top bits of a multiplicative hash (below). */
  private shift: number
  private count = 0

  constructor(expected = 1024) {
    let capacity = 1024
    while (capacity < expected * 1.5) capacity *= 2
    this.slots = new Uint32Array(capacity * 2)
    this.mask = capacity - 1
    this.shift = 32 - Math.log2(capacity)
  }

  get size(): number {
    return this.count
  }

  /** Adds `text`'s fingerprint; false when it was (maybe) there already. */
  add(text: string): boolean {
    return this.addFingerprint(hashHigh(text), hashLow(text))
  }

  /** Whether `text`'s fingerprint is (maybe) in the set. */
  has(text: string): boolean {
    const high = hashHigh(text)
    const low = hashLow(text)
    for (let slot = this.home(high); ; slot = (slot + 1) & this.mask) {
      const at = slot * 2
      if (this.slots[at + 1] === 0) return false
      if (this.slots[at] === high && this.slots[at + 1] === low) return true
    }
  }

  /**
   * The first slot to try: Fibonacci hashing of the high half. FNV's low bits mix poorly for strings
   * that differ in a few characters, and linear probing from them clustered (µs an insert at a million).
   */
  private home(high: number): number {
    return Math.imul(high, 0x9e3779b1) >>> this.shift
  }

  private addFingerprint(high: number, low: number): boolean {
    for (let slot = this.home(high); ; slot = (slot + 1) & this.mask) {
      const at = slot * 2
      if (this.slots[at + 1] === 0) {
        this.slots[at] = high
        this.slots[at + 1] = low
        if (++this.count * 4 > (this.mask + 1) * 3) this.grow()
        return true
      }
      if (this.slots[at] === high && this.slots[at + 1] === low) return false
    }
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Uint32Array(old.length * 2)
    this.mask = old.length - 1
    this.shift--
    this.count = 0
    for (let at = 0; at < old.length; at += 2) {
      if (old[at + 1] !== 0) this.addFingerprint(old[at]!, old[at + 1]!)
    }
  }
}

/** FNV-1a over the UTF-16 code units. */
function hashHigh(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** A second, independent 32-bit hash (murmur-style mixing), never zero. */
function hashLow(text: string): number {
  let h = 0x9747b28c ^ text.length
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995)
    h ^= h >>> 13
  }
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b)
  return ((h ^ (h >>> 16)) | 1) >>> 0
}
