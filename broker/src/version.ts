/** Kept in step with broker/package.json by hand: the bundle must not read files to know its version. */
export const BROKER_VERSION = '0.1.0';
export const BROKER_SOFTWARE = `fleetterm-broker/${BROKER_VERSION}`;
