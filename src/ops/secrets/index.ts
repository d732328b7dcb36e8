export {
  BrokerCredentialVault,
  credentialAad,
  type SealedSecretStore,
} from './credentials.js';
export {
  parseSecretKey,
  SECRET_KEY_ENV,
  type SealedSecret,
  SecretBox,
  secretBoxFromEnv,
} from './secretBox.js';
