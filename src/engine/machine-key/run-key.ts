import { LicenseBackupError } from '../errors.js'
import { option } from '../options.js'
import { message } from '../message.js'
import type { MachineKey } from '../service/index.js'
import { parseMachineKey } from './given-key.js'
import { loadStoredMachineKey, machineKeyFile } from './stored-key.js'

/**
 * The machine key a run acts with, and so the machine a store's licenses are bound to: the key given
 * from the environment (`machine-key-env`), else the store's own, else none. A given key that is not the
 * store's is an error naming both machine IDs.
 */
export async function machineKeyFor(
  store: string,
  machineKey: string | undefined
): Promise<MachineKey | undefined> {
  const own = await loadStoredMachineKey(store)
  if (machineKey === undefined) return own
  const given = await parseMachineKey(machineKey)
  if (own && own.id !== given.id) {
    throw new LicenseBackupError(
      'STORE_INVALID',
      message`The store ${store} belongs to machine ${own.id} (${machineKeyFile(store)}), but the machine key in ${option('machineKey')} is machine ${given.id}. Use that machine's key, or a store of this machine.`,
      { file: machineKeyFile(store) }
    )
  }
  return given
}
