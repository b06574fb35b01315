/** Sent in the hello and shown by --version; keep in step with cli/package.json. */
export const CLI_VERSION = '0.1.0';
export const CLI_SOFTWARE = `fleetterm/${CLI_VERSION}`;
