// TextEncoder, TextDecoder and URL exist in every runtime common/ code runs
// in (Node, browsers, Electron), but their types come from the DOM or Node
// libraries, which common/ must not load. These are the parts we use.
declare global {
  class TextEncoder {
    encode(input?: string): Uint8Array;
  }
  class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
    decode(input?: Uint8Array, options?: { stream?: boolean }): string;
  }
  class URL {
    constructor(url: string, base?: string);
    readonly protocol: string;
    readonly username: string;
    readonly password: string;
    readonly hostname: string;
    readonly host: string;
    readonly pathname: string;
  }
}
export {};
