export {
  createMachineIdentity,
  ensureMachineIdentity,
  loadMachineIdentity,
  machineIdentityFile,
  machineIdOf,
  MACHINE_FILE,
  STATE_DIR,
  type MachineIdentity
} from './machine-identity.js'
