import { join } from 'node:path'
import { crashPoint } from '../io/crash-points.js'
import { writeFileAtomic } from '../io/durable.js'
import { MANIFEST_FILE } from '../format/manifest.js'
import { SIGNATURE_FILE, serializeManifestV2, type ManifestV2 } from '../format/manifest-v2.js'
import { signMessage } from '../format/ssh/sshsig.js'
import type { BackupSigningKey } from '../format/ssh/signing-key.js'

/**
 * Writes a v2 manifest into the build folder, and its signature when a key is given. The signature goes
 * first: the manifest is the commit record, so a folder with a manifest holds everything it needs.
 * Returns the names written, for the artifact upload.
 */
export async function writeManifestV2(
  dir: string,
  manifest: ManifestV2,
  key?: BackupSigningKey
): Promise<string[]> {
  const text = serializeManifestV2(manifest)
  const files: string[] = []
  if (key) {
    await writeFileAtomic(join(dir, SIGNATURE_FILE), signMessage(Buffer.from(text), key), {
      crashLabel: 'backup:signature'
    })
    crashPoint('backup:signature-written')
    files.push(SIGNATURE_FILE)
  }
  await writeFileAtomic(join(dir, MANIFEST_FILE), text, { crashLabel: 'backup:manifest' })
  crashPoint('backup:manifest-written')
  return [...files, MANIFEST_FILE]
}
