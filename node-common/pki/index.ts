// Node-only PKI helpers shared by the broker, the agent and the CLI.
export * from './certificateProfiles';
export * from './certificates';
export * from './csr';
export * from './keys';
export * from './pem';
export * from './pins';
export { x509 } from './x509';
