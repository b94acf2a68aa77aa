/**
 * The credential vault: typed credentials encrypted at rest, the master key, masking and redaction.
 * Loading this module does not load a database driver; `openVault` (./open.js) does.
 */
export { CredentialVault, credentialNameProblem, rememberCredentialSecrets } from './vault.js';
export type { Credential, CredentialSummary, CredentialUpdate, ImportResult, RotateResult, VaultOptions } from './vault.js';
export { maskSecret, maskSecrets, MASK } from './mask.js';
export { rememberSecret, redactSecrets, forgetSecrets, REDACTED } from './redact.js';
export { ENCRYPTION_KEY_ENV, findMasterKey, createMasterKey, keyringAccount } from './master-key.js';
export { generateMasterKey, keyIdOf, parseKeyText, type MasterKey } from './key.js';
export { keyFilePath } from './key-file.js';
export { osKeyring, type KeyringAccess } from './keyring.js';
export {
  registerCredentialType,
  getCredentialType,
  findCredentialType,
  credentialTypes,
  describeCredentialFields,
  parseCredentialFields,
  type CredentialFieldInfo,
} from './types/registry.js';
export { defineCredentialType, field as credentialField, type CredentialFields, type CredentialTypeDefinition, type CredentialTypeInput } from './types/define.js';
export type { CredentialExport } from './export-format.js';
