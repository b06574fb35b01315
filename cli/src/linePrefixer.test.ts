import { describe, expect, it } from 'vitest';
import { LinePrefixer } from './linePrefixer';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('LinePrefixer', () => {
  it('prefixes each complete line and turns PTY line ends into \\n', () => {
    const lines = new LinePrefixer('web-1 | ');
    expect(text(lines.push(bytes('one\r\ntwo\r\n')))).toBe('web-1 | one\nweb-1 | two\n');
  });

  it('holds a partial line until its end arrives, even when \\r and \\n are split', () => {
    const lines = new LinePrefixer('a | ');
    expect(text(lines.push(bytes('hel')))).toBe('');
    expect(text(lines.push(bytes('lo\r')))).toBe('');
    expect(text(lines.push(bytes('\nnext')))).toBe('a | hello\n');
    expect(text(lines.flush())).toBe('a | next\n');
    expect(text(lines.flush())).toBe('');
  });

  it('never cuts a multi-byte character', () => {
    const lines = new LinePrefixer('m | ');
    const all = bytes('żółw 🐢\r\n');
    const out = [...all].map((b) => lines.push(new Uint8Array([b])));
    expect(text(Buffer.concat(out))).toBe('m | żółw 🐢\n');
  });

  it('keeps empty lines and a lone \\r inside a line', () => {
    const lines = new LinePrefixer('p | ');
    expect(text(lines.push(bytes('\r\n50%\r100%\r\n')))).toBe('p | \np | 50%\r100%\n');
  });

  it('cuts an endless line at the size limit', () => {
    const lines = new LinePrefixer('p | ', 10);
    expect(text(lines.push(bytes('abcdefghijkl')))).toBe('p | abcdefghijkl\n');
    expect(text(lines.push(bytes('x\n')))).toBe('p | x\n');
  });
});
