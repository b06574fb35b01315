// Trusting a broker's CA: pinned roots, first-contact confirmation, rotation (Node only).
export * from './brokerRoots';
export * from './brokerTrust';
export * from './httpsJson';
export * from './knownBrokers';
