import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import type { ManifestLicense } from '../format/manifest.js'
import { parseLicense, type License } from '../licenses/license.js'
import { nameKey } from '../store/names.js'
import { readLicenseFileSync } from '../store/read.js'
import { message } from '../message.js'

/** What the store has at a name: a folder, a regular file, or anything else (a link, a FIFO, a device). */
type Kind = 'folder' | 'file' | 'other'

interface Listing {
  byName: Map<string, Kind>
  /** Name key → the name the store spells it with. */
  byKey: Map<string, string>
}

/**
 * Checks each path a restore will write against the store, a license at a time as the verifying pass
 * reads them and before anything is written (docs/names.md, ADRs 0060, 0130): no folder (or link, or
 * special file) where a license goes, no file or link where one of its folders goes, no name the store
 * already spells differently (the same name on case-insensitive or normalising file systems), and never
 * over a file that is not the same license (another `jti`, or no license at all). Throws STORE_INVALID
 * naming the backup's member and the store's path. Reads each folder on the way once, and each file a
 * license would replace. True when the store holds the same license at its path already: only those can
 * be left as they are.
 */
export function targetCheck(store: string): (license: ManifestLicense) => boolean {
  const listings = new Map<string, Listing>()
  const list = (folder: string): Listing => {
    let listing = listings.get(folder)
    if (listing === undefined) {
      listing = readListing(join(store, folder))
      listings.set(folder, listing)
    }
    return listing
  }
  return license => holdsSameLicense(store, license, list)
}

/** Throws when the license's path clashes with the store; true when the store holds it there already. */
function holdsSameLicense(
  store: string,
  license: ManifestLicense,
  list: (folder: string) => Listing
): boolean {
  const segments = license.path.split('/')
  let folder = ''
  for (const [index, segment] of segments.entries()) {
    const listing = list(folder)
    const name = listing.byName.has(segment) ? segment : listing.byKey.get(nameKey(segment))
    // Nothing there: the restore creates the rest.
    if (name === undefined) return false
    const here = folder === '' ? name : `${folder}/${name}`
    const kind = listing.byName.get(name)!
    const last = index === segments.length - 1
    if (name !== segment) {
      throw clash(store, license, here, 'the same name on file systems that ignore case or Unicode form')
    }
    if (!last) {
      if (kind !== 'folder') throw clash(store, license, here, `${describe(kind)} where its folder goes`)
      folder = here
      continue
    }
    if (kind !== 'file') throw clash(store, license, here, `${describe(kind)} where the license goes`)
    checkHeldLicense(store, license, here)
    return true
  }
  return false
}

/** The file a license would replace must hold the same license: never another one, never something else. */
function checkHeldLicense(store: string, license: ManifestLicense, path: string): void {
  let held: License
  try {
    held = parseLicense(readLicenseFileSync(store, path).toString('utf8'), path)
  } catch {
    throw clash(store, license, path, 'a file that is not a license where the license goes')
  }
  if (held.jti === license.jti) return
  throw new LicenseBackupError(
    'STORE_INVALID',
    message`The store ${store} holds license ${held.jti} at ${JSON.stringify(path)}, where the backup's license ${license.jti} goes; a restore never replaces another license. Nothing was restored; move ${join(store, path)} out of the store (or restore into another store), then run the restore again.`,
    { file: path, licenseId: held.jti, keyId: held.keyId }
  )
}

function readListing(dir: string): Listing {
  const byName = new Map<string, Kind>()
  const byKey = new Map<string, string>()
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    byName.set(entry.name, entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other')
    byKey.set(nameKey(entry.name), entry.name)
  }
  return { byName, byKey }
}

function describe(kind: Kind): string {
  if (kind === 'folder') return 'a folder'
  if (kind === 'file') return 'a file'
  return 'a link or special file'
}

function clash(store: string, license: ManifestLicense, path: string, what: string): LicenseBackupError {
  return new LicenseBackupError(
    'STORE_INVALID',
    message`The backup's license ${JSON.stringify(license.path)} (license ID ${license.jti}) cannot be restored into the store ${store}: the store has ${JSON.stringify(path)} there, ${what}. Nothing was restored; move ${join(store, path)} out of the way (or restore into another store), then run the restore again.`,
    { file: path, licenseId: license.jti, keyId: license.key_id }
  )
}
