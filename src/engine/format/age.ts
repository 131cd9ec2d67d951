import type * as AgeLibrary from 'age-encryption'
import type { Encrypter } from 'age-encryption'
import { LicenseBackupError } from '../errors.js'
import { capitalized, option } from '../options.js'
import type { PackSink } from './pack-sink.js'
import { message } from '../message.js'

/**
 * age (age-encryption.org/v1) around the pack, as a stream (ADR 0012): age-encryption 0.3 encrypts and
 * decrypts WHATWG ReadableStreams chunk by chunk (64 KiB STREAM chunks), so neither side holds the pack.
 * The library is imported on first use: it builds its curve tables at import, which a run that encrypts
 * and decrypts nothing should not pay for (ADR 0051).
 */
const ageLibrary = (): Promise<typeof AgeLibrary> => import('age-encryption')

/** CONFIG_INVALID naming the first recipient that is not an age X25519 recipient (`age1…`). */
export async function checkRecipients(recipients: string[]): Promise<Encrypter> {
  if (recipients.length === 0) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`${capitalized(option('encryptTo'))} is empty; give at least one age recipient (age1…) or remove it.`
    )
  }
  const { Encrypter } = await ageLibrary()
  const encrypter = new Encrypter()
  for (const recipient of recipients) {
    const bad = (): LicenseBackupError =>
      new LicenseBackupError(
        'CONFIG_INVALID',
        message`${capitalized(option('encryptTo'))} holds ${JSON.stringify(recipient.slice(0, 80))}, which is not an age X25519 recipient (age1…); use the public key that age-keygen printed.`
      )
    // Only native X25519 recipients (docs/format.md): the tag and post-quantum kinds are not what the reference CLI makes by default.
    if (!/^age1[02-9ac-hj-np-z]{58}$/.test(recipient)) throw bad()
    try {
      encrypter.addRecipient(recipient)
    } catch {
      throw bad()
    }
  }
  return encrypter
}

/**
 * A sink that age-encrypts everything written to it into `inner`. Backpressure: each write waits until
 * the encrypter has taken the chunk.
 */
export async function encryptingSink(inner: PackSink, recipients: string[]): Promise<PackSink> {
  const encrypter = await checkRecipients(recipients)
  const plain = new TransformStream<Uint8Array, Uint8Array>()
  const writer = plain.writable.getWriter()
  const encrypted = await encrypter.encrypt(plain.readable)
  const pump = (async () => {
    for await (const chunk of encrypted as unknown as AsyncIterable<Uint8Array>) await inner.write(chunk)
  })()
  // A failed pump surfaces at the next write or at close; keep it from being an unhandled rejection.
  let failed: unknown
  pump.catch(error => {
    failed = error
  })
  return {
    write: async chunk => {
      if (failed !== undefined) throw failed
      await writer.ready
      await writer.write(chunk)
    },
    close: async () => {
      await writer.close()
      await pump
      return inner.close()
    },
    abort: async () => {
      await writer.abort(new Error('aborted')).catch(() => {})
      await pump.catch(() => {})
      await inner.abort()
    }
  }
}

/**
 * Decrypts an age-encrypted pack as a stream. The header is checked before this resolves: an identity
 * that is not one of the file's recipients is CONFIG_INVALID, a damaged header BACKUP_CORRUPT; damage
 * further on (a chunk failing authentication, truncation) is BACKUP_CORRUPT while iterating.
 */
export async function decryptAge(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  identity: string,
  options: { file?: string } = {}
): Promise<AsyncIterable<Uint8Array>> {
  const file = options.file ?? 'the encrypted pack'
  const trimmed = identity.trim()
  if (!trimmed.startsWith('AGE-SECRET-KEY-1')) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The age identity for ${file} is not an X25519 identity (it must start with AGE-SECRET-KEY-1); check ${option('ageIdentity')}.`,
      { file }
    )
  }
  const { Decrypter } = await ageLibrary()
  const decrypter = new Decrypter()
  try {
    decrypter.addIdentity(trimmed)
  } catch {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The age identity for ${file} is malformed; check ${option('ageIdentity')}.`,
      {
        file
      }
    )
  }
  let plain: ReadableStream<Uint8Array>
  try {
    plain = await decrypter.decrypt(ReadableStream.from(source))
  } catch (error) {
    const reason = (error as Error).message ?? ''
    if (/no identity matched/i.test(reason)) {
      throw new LicenseBackupError(
        'CONFIG_INVALID',
        message`${file} was not encrypted to the given age identity; use the identity whose recipient the backup was encrypted to.`,
        { file, cause: error }
      )
    }
    throw new LicenseBackupError('BACKUP_CORRUPT', message`${file} is not a valid age file (${reason}).`, {
      file,
      cause: error
    })
  }
  return (async function* () {
    try {
      for await (const chunk of plain as unknown as AsyncIterable<Uint8Array>) yield chunk
    } catch (error) {
      throw new LicenseBackupError(
        'BACKUP_CORRUPT',
        message`${file} is damaged: its encrypted data does not authenticate (${(error as Error).message}).`,
        {
          file,
          cause: error
        }
      )
    }
  })()
}
