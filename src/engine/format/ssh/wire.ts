/**
 * The SSH wire encoding (RFC 4251 §5) that OpenSSH keys and signatures are made of: `uint32` and `string`
 * (a uint32 length, then that many bytes). The reader never reads past its buffer: a length that runs
 * past the end is a `WireError`, which callers turn into their own error with a place.
 */
export class WireError extends Error {}

export class WireReader {
  private offset = 0

  constructor(private readonly bytes: Buffer) {}

  uint32(): number {
    if (this.offset + 4 > this.bytes.length) throw new WireError('it ends inside a number')
    const value = this.bytes.readUInt32BE(this.offset)
    this.offset += 4
    return value
  }

  string(): Buffer {
    const length = this.uint32()
    if (length > this.bytes.length - this.offset) throw new WireError('a field runs past its end')
    const value = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    return value
  }

  /** A string that must be printable ASCII (names of algorithms, namespaces). */
  text(): string {
    const value = this.string()
    if (!/^[\x20-\x7e]*$/.test(value.toString('latin1'))) throw new WireError('a name is not printable text')
    return value.toString('latin1')
  }

  bytesFixed(length: number): Buffer {
    if (this.offset + length > this.bytes.length) throw new WireError('it ends early')
    const value = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    return value
  }

  rest(): Buffer {
    const value = this.bytes.subarray(this.offset)
    this.offset = this.bytes.length
    return value
  }

  get done(): boolean {
    return this.offset === this.bytes.length
  }
}

export function wireString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value
  const length = Buffer.alloc(4)
  length.writeUInt32BE(bytes.length)
  return Buffer.concat([length, bytes])
}

export function wireUint32(value: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(value)
  return bytes
}

export const ED25519 = 'ssh-ed25519'

/** The public key blob of an Ed25519 key: `string "ssh-ed25519"`, `string key (32 bytes)`. */
export function ed25519Blob(publicKey: Buffer): Buffer {
  return Buffer.concat([wireString(ED25519), wireString(publicKey)])
}

/** The 32-byte key of an Ed25519 public key blob; a `WireError` for any other blob. */
export function ed25519KeyOf(blob: Buffer): Buffer {
  const reader = new WireReader(blob)
  const type = reader.text()
  if (type !== ED25519) throw new WireError(`it is a ${type} key, not ${ED25519}`)
  const key = reader.string()
  if (key.length !== 32 || !reader.done) throw new WireError('its Ed25519 key is not 32 bytes')
  return key
}
