export {
  createMachineIdentity,
  ensureMachineIdentity,
  loadMachineIdentity,
  machineIdentityFile,
  machineIdOf,
  MACHINE_FILE,
  readMachineId,
  type MachineIdentity
} from './machine-identity.js'
