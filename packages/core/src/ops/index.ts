export { type BackupOptions, type BackupResult, backup } from "./backup";
export {
  type CheckOptions,
  type CheckProblem,
  type CheckProblemKind,
  type CheckRepair,
  type CheckResult,
  check,
} from "./check";
export {
  BACKUP_FORMAT,
  type BackupCollection,
  type BackupFile,
  type BackupManifest,
  type BackupSnapshot,
  MANIFEST_FILE,
} from "./manifest";
export { type RestoreOptions, type RestoreResult, restore } from "./restore";
