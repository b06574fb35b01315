import { CrlfNormalizer } from './crlfNormalizer';
import type { OutputStream } from './io';
import { concat, LinePrefixer } from './linePrefixer';

export type ExecOutputMode = 'prefix' | 'group' | 'json';

/** Output kept per machine for --group and --json. Enough for any command
 *  output a person reads; beyond it the rest is counted, not kept, so a
 *  runaway command on many machines cannot exhaust memory. */
export const MAX_COLLECTED_BYTES = 16 * 1024 * 1024;

/** ANSI colours for machine prefixes, cycled; red is left for errors. */
const COLOURS = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94];

export interface OutputLayout {
  mode: ExecOutputMode;
  stdout: OutputStream;
  /** Width of the longest machine name, so the `|` separators line up. */
  nameWidth: number;
  colour: boolean;
}

/** Where one machine's output goes during an `exec`. */
export interface MachineOutput {
  /** Handles output; calls `consumed` once it is really written (or stored). */
  data(bytes: Uint8Array, consumed: () => void): void;
  /** The command ended: prints what is left and returns the collected text (empty in prefix mode). */
  finish(): string;
}

export function createMachineOutput(machine: string, index: number, layout: OutputLayout): MachineOutput {
  const paint = (text: string) => (layout.colour ? `\x1b[${COLOURS[index % COLOURS.length]}m${text}\x1b[0m` : text);
  if (layout.mode === 'prefix')
    return new PrefixedOutput(layout.stdout, paint(`${machine.padEnd(layout.nameWidth)} |`) + ' ');
  const collected = new CollectedOutput();
  if (layout.mode === 'json') return collected;
  return {
    data: (bytes, consumed) => collected.data(bytes, consumed),
    finish: () => {
      const text = collected.finish();
      layout.stdout.write(`${paint(`=== ${machine} ===`)}\n${text}${text === '' || text.endsWith('\n') ? '' : '\n'}`);
      return text;
    },
  };
}

class PrefixedOutput implements MachineOutput {
  private readonly lines: LinePrefixer;

  constructor(
    private readonly stdout: OutputStream,
    prefix: string,
  ) {
    this.lines = new LinePrefixer(prefix);
  }

  data(bytes: Uint8Array, consumed: () => void): void {
    const out = this.lines.push(bytes);
    // A partial line waits in the prefixer (bounded by MAX_LINE_BYTES): it counts as consumed.
    if (out.byteLength === 0) consumed();
    else this.stdout.write(out, () => consumed());
  }

  finish(): string {
    const rest = this.lines.flush();
    if (rest.byteLength > 0) this.stdout.write(rest);
    return '';
  }
}

class CollectedOutput implements MachineOutput {
  private readonly normalizer = new CrlfNormalizer();
  private readonly parts: Uint8Array[] = [];
  private kept = 0;
  private dropped = 0;

  data(bytes: Uint8Array, consumed: () => void): void {
    this.keep(this.normalizer.push(bytes));
    consumed();
  }

  finish(): string {
    this.keep(this.normalizer.flush());
    const text = new TextDecoder().decode(concat(this.parts));
    return this.dropped > 0
      ? `${text}\n[fleetterm: output truncated; ${this.dropped} more bytes were not kept]\n`
      : text;
  }

  private keep(bytes: Uint8Array): void {
    const room = MAX_COLLECTED_BYTES - this.kept;
    const take = Math.min(room, bytes.byteLength);
    if (take > 0) {
      this.parts.push(bytes.slice(0, take));
      this.kept += take;
    }
    this.dropped += bytes.byteLength - take;
  }
}
