import { LicenseBackupError } from '../errors.js'
import { option } from '../options.js'
import { loadMachineIdentity, machineIdentityFile } from '../identity/index.js'
import type { MachineKey } from '../service/index.js'
import { parseMachineKey } from './machine-key.js'
import { message } from '../message.js'

/**
 * The machine a store's licenses are bound to: the key given from the environment (`machine-key-env`),
 * else the store's own identity, else none. A given key that is not the store's identity is an error
 * naming both machine IDs.
 */
export async function machineOf(
  store: string,
  machineKey: string | undefined
): Promise<MachineKey | undefined> {
  const own = await loadMachineIdentity(store)
  if (machineKey === undefined) return own
  const given = await parseMachineKey(machineKey)
  if (own && own.id !== given.id) {
    throw new LicenseBackupError(
      'STORE_INVALID',
      message`The store ${store} belongs to machine ${own.id} (${machineIdentityFile(store)}), but the machine key in ${option('machineKey')} is machine ${given.id}. Use that machine's key, or a store of this machine.`,
      { file: machineIdentityFile(store) }
    )
  }
  return given
}
