// Backup folders crafted member by member (issue 4, issue 7): tar members of any type, any name, a declared
// size past the data; a manifest whose pack digest is recomputed, so the member-level checks are what must
// catch the problem (or left stale, so the pack digest must). Also re-packs a real backup after a change.
import { Decrypter, Encrypter } from 'age-encryption'
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  ENCRYPTED_PACK_FILE,
  FORMAT,
  MANIFEST_FILE,
  PACK_FILE,
  type Manifest,
  type ManifestLicense
} from '../../src/engine/format/manifest.js'
import { serializeManifest } from '../../src/engine/format/manifest-io.js'
import { readTar } from '../../src/engine/format/tar-reader.js'
import { BLOCK, checksum, paxRecord } from '../../src/engine/format/tar-writer.js'

/** Tar type flags a hostile pack may use. */
export const TYPE = {
  file: '0',
  hardLink: '1',
  symlink: '2',
  charDevice: '3',
  blockDevice: '4',
  directory: '5',
  fifo: '6'
} as const

export interface CraftedMember {
  name: string
  /** Type flag; default regular file `0`. */
  type?: string
  data?: Buffer | string
  /** The size the header declares; default the data's length. */
  declaredSize?: number
  /** Raw bytes of the 12-byte size field (e.g. a base-256 size), overriding `declaredSize`. */
  sizeField?: Buffer
  /** Link target of a link member. */
  linkName?: string
  /** pax records written in an `x` header before the member. */
  pax?: Record<string, string>
}

export function header(member: CraftedMember, dataLength: number): Buffer {
  const block = Buffer.alloc(BLOCK)
  const name = Buffer.from(member.name, 'utf8')
  name.copy(block, 0, 0, Math.min(100, name.length))
  block.write('0000644\u0000', 100, 'ascii')
  block.write('0000000\u0000', 108, 'ascii')
  block.write('0000000\u0000', 116, 'ascii')
  if (member.sizeField) member.sizeField.copy(block, 124, 0, 12)
  else block.write((member.declaredSize ?? dataLength).toString(8).padStart(11, '0') + '\u0000', 124, 'ascii')
  block.write('00000000000\u0000', 136, 'ascii')
  block.fill(0x20, 148, 156)
  block.write(member.type ?? TYPE.file, 156, 'ascii')
  if (member.linkName) block.write(member.linkName, 157, 100, 'utf8')
  block.write('ustar\u000000', 257, 'ascii')
  block.write(checksum(block).toString(8).padStart(6, '0') + '\u0000 ', 148, 'ascii')
  return block
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)])
}

/** A tar of the members exactly as described; `end: false` leaves off the end-of-archive marker. */
export function craftTar(members: CraftedMember[], options: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = []
  for (const member of members) {
    const data = Buffer.from(member.data ?? '')
    if (member.pax) {
      const records = Buffer.concat(Object.entries(member.pax).map(([k, v]) => paxRecord(k, v)))
      parts.push(header({ name: 'PaxHeaders/member', type: 'x' }, records.length), pad(records))
    }
    parts.push(header(member, data.length), pad(data))
  }
  if (options.end !== false) parts.push(Buffer.alloc(2 * BLOCK))
  return Buffer.concat(parts)
}

/** The manifest entry a license file would have: jti and key_id read from its payload when it is a JWS. */
export function entryFor(path: string, data: Buffer | string): ManifestLicense {
  const bytes = Buffer.from(data)
  let jti = `jti-of-${path}`
  let keyId = 'key-of-member'
  try {
    const claims = JSON.parse(
      Buffer.from(bytes.toString('utf8').split('.')[1] ?? '', 'base64url').toString('utf8')
    ) as { jti?: unknown; key_id?: unknown }
    if (typeof claims.jti === 'string') jti = claims.jti
    if (typeof claims.key_id === 'string') keyId = claims.key_id
  } catch {
    // Not a JWS: placeholder IDs.
  }
  return { jti, key_id: keyId, path, sha256: sha256(bytes), size: bytes.length }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

export interface PackOptions {
  /** Encrypt the pack to this age recipient (the manifest then says so). */
  recipient?: string
  /** Keep this pack digest and size in the manifest instead of the pack's own (a stale digest). */
  stale?: { sha256: string; size: number }
}

/** A manifest for `pack` listing `licenses`, with a recomputed (or deliberately stale) pack digest. */
export function manifestFor(pack: Buffer, licenses: ManifestLicense[], options: PackOptions = {}): Manifest {
  const encrypted = options.recipient !== undefined
  return {
    format: FORMAT,
    created: '2026-01-01T00:00:00.000Z',
    tool: { name: 'license-backup', version: '0.0.0-hostile' },
    source: { store: 'hostile', machine: null },
    encryption: encrypted ? { scheme: 'age', recipients: [options.recipient as string] } : null,
    pack: {
      file: encrypted ? ENCRYPTED_PACK_FILE : PACK_FILE,
      sha256: options.stale?.sha256 ?? sha256(pack),
      size: options.stale?.size ?? pack.length
    },
    licenses,
    restricted: [],
    counts: {
      licenses: licenses.length,
      restricted: 0,
      bytes: licenses.reduce((sum, l) => sum + l.size, 0)
    }
  }
}

export interface HostileBackup {
  members: CraftedMember[]
  /** Manifest entries; default one per regular-file member, from its data. */
  licenses?: ManifestLicense[]
  /** Leave the pack digest as that of another pack (the manifest's first check must catch it). */
  staleDigest?: boolean
  recipient?: string
  /** Last word on the manifest: change it, or return text to write instead. */
  manifest?: (manifest: Manifest) => Manifest | string | void
  end?: boolean
}

/** Writes a crafted backup folder into `dir` and returns its manifest and plain tar. */
export async function writeHostileBackup(
  dir: string,
  spec: HostileBackup
): Promise<{ manifest: Manifest; tar: Buffer }> {
  const tar = craftTar(spec.members, { end: spec.end ?? true })
  const licenses =
    spec.licenses ??
    spec.members.filter(m => (m.type ?? TYPE.file) === TYPE.file).map(m => entryFor(m.name, m.data ?? ''))
  const pack = spec.recipient ? await encrypt(tar, spec.recipient) : tar
  const stale = spec.staleDigest
    ? { sha256: sha256(Buffer.from('another pack')), size: pack.length }
    : undefined
  const manifest = manifestFor(pack, licenses, {
    ...(spec.recipient ? { recipient: spec.recipient } : {}),
    ...(stale ? { stale } : {})
  })
  await writeBackupFolder(dir, manifest, pack, spec.manifest)
  return { manifest, tar }
}

export async function writeBackupFolder(
  dir: string,
  manifest: Manifest,
  pack: Buffer,
  change?: (manifest: Manifest) => Manifest | string | void
): Promise<void> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, manifest.pack.file), pack)
  const changed = change?.(manifest) ?? manifest
  await writeFile(
    join(dir, MANIFEST_FILE),
    typeof changed === 'string' ? changed : serializeManifest(changed)
  )
}

export async function encrypt(data: Buffer, recipient: string): Promise<Buffer> {
  const encrypter = new Encrypter()
  encrypter.addRecipient(recipient)
  return Buffer.from(await encrypter.encrypt(data))
}

export async function decrypt(data: Buffer, identity: string): Promise<Buffer> {
  const decrypter = new Decrypter()
  decrypter.addIdentity(identity)
  return Buffer.from(await decrypter.decrypt(data))
}

/** A real backup read back: its manifest, its pack's bytes, its plain tar and members. */
export interface ReadBackup {
  manifest: Manifest
  pack: Buffer
  tar: Buffer
  members: Array<{ name: string; data: Buffer }>
}

export async function readBackup(dir: string, identity?: string): Promise<ReadBackup> {
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Manifest
  const pack = await readFile(join(dir, manifest.pack.file))
  const tar = manifest.encryption ? await decrypt(pack, identity ?? '') : pack
  const members: ReadBackup['members'] = []
  for await (const member of readTar([tar])) members.push({ name: member.name, data: member.data })
  return { manifest, pack, tar, members }
}

/**
 * Writes `original` again into `dir` after `change`: members re-packed in a fresh tar (re-encrypted to
 * `recipient` when the original was encrypted), the manifest's pack digest and size recomputed, so only
 * the member-level checks can tell. `licenses` changes the manifest's entries (default: as they were).
 */
export async function repack(
  dir: string,
  original: ReadBackup,
  change: {
    members?: (members: CraftedMember[]) => CraftedMember[]
    licenses?: (licenses: ManifestLicense[]) => ManifestLicense[]
    recipient?: string
  }
): Promise<void> {
  const members = (change.members ?? (m => m))(original.members.map(m => ({ name: m.name, data: m.data })))
  const tar = craftTar(members)
  const pack = original.manifest.encryption ? await encrypt(tar, change.recipient ?? '') : tar
  const licenses = (change.licenses ?? (l => l))(original.manifest.licenses.map(l => ({ ...l })))
  const manifest: Manifest = {
    ...original.manifest,
    pack: { ...original.manifest.pack, sha256: sha256(pack), size: pack.length },
    licenses,
    counts: {
      ...original.manifest.counts,
      licenses: licenses.length,
      bytes: licenses.reduce((sum, l) => sum + l.size, 0)
    }
  }
  await writeBackupFolder(dir, manifest, pack)
}
