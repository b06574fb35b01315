import { build, type Metafile } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The inputs of every output file a started agent loads: the entry and the chunks it imports statically. */
function loadedAtStart({ outputs }: Metafile): string[] {
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint);
  const seen = new Set<string>();
  for (let queue = entry ? [entry] : []; queue.length > 0;) {
    const output = queue.shift()!;
    if (seen.has(output)) continue;
    seen.add(output);
    const imports = outputs[output]?.imports ?? [];
    queue.push(...imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path));
  }
  return [...seen].flatMap((output) => Object.keys(outputs[output]?.inputs ?? {}));
}

describe('the agent bundle', () => {
  // The X.509 library is about a third of the agent's code; an idle agent
  // holding it cost megabytes of memory (docs/BENCHMARKS.md, History).
  it('loads the X.509 library and the enrolment code only when it enrols or renews its certificate', async () => {
    const { metafile } = await build({
      absWorkingDir: join(import.meta.dirname, '../..'),
      entryPoints: ['agent/src/main.ts'],
      outdir: 'dist',
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      external: ['node-pty', 'ws', 'bufferutil'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const atStart = loadedAtStart(metafile);
    expect(atStart).toContain('agent/src/runAgent.ts');
    expect(
      atStart.filter((input) => /@peculiar|asn1js|tsyringe|reflect-metadata|agent\/src\/enrol\.ts/.test(input)),
    ).toEqual([]);
    const everything = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
    expect(everything.some((input) => input.includes('@peculiar/x509'))).toBe(true);
  });
});
