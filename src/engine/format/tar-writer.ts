/**
 * A deterministic POSIX tar (ustar, with pax `path` records for long or non-ASCII names) of regular files
 * only (ADR 0011): uid/gid 0, empty owner names, mtime 0, mode 0644. The caller passes members in sorted
 * order; the same members give the same bytes.
 *
 * Headers are a fixed template copied into the caller's buffer and patched (name, size, type, prefix,
 * checksum), with the checksum summed as the fields are written (ADR 0051): a pack of 100,000 members
 * allocates no buffer per member.
 */
export const BLOCK = 512

/** The end-of-archive marker: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK)

const PAX_NAME = 'PaxHeaders/member'
const TYPE_FILE = 0x30 // '0'
const TYPE_PAX = 0x78 // 'x'

/** Every header field that is the same for all members; the checksum field holds spaces, as summed. */
const TEMPLATE = (() => {
  const block = Buffer.alloc(BLOCK)
  block.write('0000644\u0000', 100, 'ascii') // mode
  block.write('0000000\u0000', 108, 'ascii') // uid
  block.write('0000000\u0000', 116, 'ascii') // gid
  block.write('00000000000\u0000', 136, 'ascii') // mtime
  block.fill(0x20, 148, 156) // checksum, summed as spaces
  block.write('ustar\u000000', 257, 'ascii')
  block.write('0000000\u0000', 329, 'ascii') // devmajor
  block.write('0000000\u0000', 337, 'ascii') // devminor
  return block
})()
const TEMPLATE_SUM = TEMPLATE.reduce((sum, byte) => sum + byte, 0)

/** How a member's name is stored: ustar fields, or a pax record before an ASCII fallback header. */
interface MemberLayout {
  name: string
  prefix: string
  pax: Buffer | undefined
}

/** The blocks of one regular-file member: header(s), data, zero padding to a whole block. */
export function tarMember(name: string, data: Uint8Array): Buffer[] {
  const member = Buffer.allocUnsafe(tarMemberSize(name, data.length))
  writeTarMember(member, 0, name, data)
  return [member]
}

/** The bytes `writeTarMember` writes for a member named `name` holding `size` bytes. */
export function tarMemberSize(name: string, size: number): number {
  const layout = memberLayout(name)
  const paxBytes = layout.pax === undefined ? 0 : BLOCK + padded(layout.pax.length)
  return paxBytes + BLOCK + padded(size)
}

/**
 * Writes one member (header(s), data, zero padding) into `target` at `offset` and returns the offset
 * after it; the whole range is written, so `target` may be uninitialised memory. When fewer than
 * `tarMemberSize(name, data.length)` bytes are free, writes nothing and returns -1.
 */
export function writeTarMember(target: Buffer, offset: number, name: string, data: Uint8Array): number {
  const layout = memberLayout(name)
  const paxBytes = layout.pax === undefined ? 0 : BLOCK + padded(layout.pax.length)
  if (offset + paxBytes + BLOCK + padded(data.length) > target.length) return -1
  let at = offset
  if (layout.pax !== undefined) {
    writeHeader(target, at, PAX_NAME, '', layout.pax.length, TYPE_PAX)
    at = writePadded(target, at + BLOCK, layout.pax)
  }
  writeHeader(target, at, layout.name, layout.prefix, data.length, TYPE_FILE)
  return writePadded(target, at + BLOCK, data)
}

/** Splits a name into ustar `prefix` and `name` fields, or gives a pax record and an ASCII fallback. */
function memberLayout(name: string): MemberLayout {
  if (PRINTABLE.test(name)) {
    if (name.length <= 100) return { name, prefix: '', pax: undefined }
    for (let slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
      const prefix = name.slice(0, slash)
      const rest = name.slice(slash + 1)
      if (prefix.length <= 155 && rest.length > 0 && rest.length <= 100) {
        return { name: rest, prefix, pax: undefined }
      }
    }
  }
  return { name: asciiFallback(name), prefix: '', pax: paxRecord('path', name) }
}
const PRINTABLE = /^[\x20-\x7e]+$/

/** A short ASCII name for readers that ignore pax records (the pax `path` is the real name). */
function asciiFallback(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1).replace(/[^\x20-\x7e]/g, '_')
  return base.slice(-100) || 'member'
}

/** `"<length> <key>=<value>\n"`, where length counts the whole record in bytes. */
export function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`
  const bodyLength = Buffer.byteLength(body)
  let length = bodyLength + 1
  while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength
  return Buffer.from(`${length}${body}`)
}

/** The template patched with the member's fields; `name` and `prefix` are printable ASCII here. */
function writeHeader(
  target: Buffer,
  at: number,
  name: string,
  prefix: string,
  size: number,
  type: number
): void {
  TEMPLATE.copy(target, at)
  let sum = TEMPLATE_SUM + type
  sum += writeAscii(target, at, name, 100)
  sum += writeAscii(target, at + 345, prefix, 155)
  sum += writeOctal(target, at + 124, size, 12)
  target[at + 156] = type
  // Six digits and a NUL; the field's last byte keeps the template's space.
  writeOctal(target, at + 148, sum, 7)
}

/** Writes at most `width` characters of an ASCII string; returns the sum of the bytes written. */
function writeAscii(target: Buffer, at: number, text: string, width: number): number {
  const length = Math.min(text.length, width)
  let sum = 0
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i)
    target[at + i] = code
    sum += code
  }
  return sum
}

/** A zero-padded octal number filling `width` bytes including its terminating NUL; returns its byte sum. */
function writeOctal(target: Buffer, at: number, value: number, width: number): number {
  const digits = width - 1
  if (value >= 8 ** digits) throw new RangeError(`${value} does not fit a ${width}-byte tar field`)
  let sum = 0
  let rest = value
  for (let i = digits - 1; i >= 0; i--) {
    const code = 0x30 + (rest % 8)
    target[at + i] = code
    sum += code
    rest = Math.floor(rest / 8)
  }
  target[at + digits] = 0
  return sum
}

/** Copies `data` and zero-fills to the next block boundary; returns the offset after the padding. */
function writePadded(target: Buffer, at: number, data: Uint8Array): number {
  target.set(data, at)
  const end = at + padded(data.length)
  target.fill(0, at + data.length, end)
  return end
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK
}

export function checksum(block: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!
  return sum
}

/**
 * The header block(s) of a regular-file member of `size` bytes whose data the caller streams after
 * them, followed by `tarPadding(size)`: for a member too large to hold whole (the v2 pack index).
 */
export function tarHeader(name: string, size: number): Buffer {
  const layout = memberLayout(name)
  const paxBytes = layout.pax === undefined ? 0 : BLOCK + padded(layout.pax.length)
  const target = Buffer.alloc(paxBytes + BLOCK)
  let at = 0
  if (layout.pax !== undefined) {
    writeHeader(target, 0, PAX_NAME, '', layout.pax.length, TYPE_PAX)
    at = writePadded(target, BLOCK, layout.pax)
  }
  writeHeader(target, at, layout.name, layout.prefix, size, TYPE_FILE)
  return target
}

/** The zero bytes that pad a member of `size` bytes to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc(padded(size) - size)
}
