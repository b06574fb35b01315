import type { Disposable } from '../../common/disposable';

/** The part of a writable stream the commands use; process.stdout fits, and so does a test's capture. */
export interface OutputStream {
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** Where a command's output goes and what it may read of its environment. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
}

/** A terminal or pipe on stdin (process.stdin fits). */
export interface InputStream {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  off(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown;
  off(event: 'end', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** stdout as a terminal whose size can change (process.stdout fits). */
export interface TerminalOutput extends OutputStream {
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

export type SignalName = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** Subscribes to the process's termination signals. */
export type SignalSource = (listener: (signal: SignalName) => void) => Disposable;

/** Waits until everything written so far has been handed to the OS. */
export function drained(stream: OutputStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
