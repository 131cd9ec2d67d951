/**
 * A deterministic POSIX tar (ustar, with pax `path` records for long or non-ASCII names) of regular files
 * only (ADR 0011): uid/gid 0, empty owner names, mtime 0, mode 0644. The caller passes members in sorted
 * order; the same members give the same bytes.
 */
export const BLOCK = 512

/** The end-of-archive marker: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK)

/** The blocks of one regular-file member: header(s), data, zero padding to a whole block. */
export function tarMember(name: string, data: Uint8Array): Buffer[] {
  const blocks: Buffer[] = []
  const fields = ustarName(name)
  if (fields === undefined) {
    const pax = paxRecord('path', name)
    blocks.push(header({ name: 'PaxHeaders/member', prefix: '', size: pax.length, type: 'x' }), pad(pax))
    blocks.push(header({ name: asciiFallback(name), prefix: '', size: data.length, type: '0' }))
  } else {
    blocks.push(header({ ...fields, size: data.length, type: '0' }))
  }
  blocks.push(pad(Buffer.from(data.buffer, data.byteOffset, data.byteLength)))
  return blocks
}

/** Splits a name into ustar `prefix` and `name` fields, or undefined when it needs a pax record. */
function ustarName(name: string): { name: string; prefix: string } | undefined {
  if (!/^[\x20-\x7e]+$/.test(name)) return undefined
  if (name.length <= 100) return { name, prefix: '' }
  for (let slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
    const prefix = name.slice(0, slash)
    const rest = name.slice(slash + 1)
    if (prefix.length <= 155 && rest.length > 0 && rest.length <= 100) return { name: rest, prefix }
  }
  return undefined
}

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

interface HeaderFields {
  name: string
  prefix: string
  size: number
  type: '0' | 'x'
}

function header(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK)
  block.write(fields.name, 0, 100, 'utf8')
  block.write(octal(0o644, 8), 100, 'ascii')
  block.write(octal(0, 8), 108, 'ascii')
  block.write(octal(0, 8), 116, 'ascii')
  block.write(octal(fields.size, 12), 124, 'ascii')
  block.write(octal(0, 12), 136, 'ascii')
  block.fill(0x20, 148, 156)
  block.write(fields.type, 156, 'ascii')
  block.write('ustar\u000000', 257, 'ascii')
  block.write(octal(0, 8), 329, 'ascii')
  block.write(octal(0, 8), 337, 'ascii')
  block.write(fields.prefix, 345, 155, 'utf8')
  block.write(octal(checksum(block), 7), 148, 'ascii')
  return block
}

/** A zero-padded octal number filling `width` bytes including its terminating NUL. */
function octal(value: number, width: number): string {
  const digits = value.toString(8)
  if (digits.length > width - 1) throw new RangeError(`${value} does not fit a ${width}-byte tar field`)
  return digits.padStart(width - 1, '0') + '\u0000'
}

export function checksum(block: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!
  return sum
}

function pad(data: Buffer): Buffer {
  const remainder = data.length % BLOCK
  return remainder === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - remainder)])
}
