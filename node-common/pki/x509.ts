// @peculiar/x509 resolves its algorithms through tsyringe, which needs the
// Reflect metadata API: the polyfill must load before the library does, so
// every module of ours imports the library through this file only.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

// Node's WebCrypto, so nothing depends on a global `crypto` being present.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
