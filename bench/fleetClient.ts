// The console protocol client as the headless CLI uses it, re-exported so
// the plain-JavaScript harness can import it after esbuild bundles this file
// into bench/.build/fleetClient.mjs (Node cannot import the .ts sources).
export { ConsoleLink } from '../common/client';
export { createNodeSocketFactory } from '../cli/src/nodeSocketFactory';
