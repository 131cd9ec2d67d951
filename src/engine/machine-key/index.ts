export {
  createStoredMachineKey,
  ensureStoredMachineKey,
  loadStoredMachineKey,
  machineKeyFile,
  machineIdOf,
  MACHINE_KEY_FILE,
  readMachineId,
  type StoredMachineKey
} from './stored-key.js'
export { parseMachineKey } from './given-key.js'
export { machineKeyFor } from './run-key.js'
