import { z } from 'zod';

// zod 4 compiles fast parsers with `new Function`, which the renderer's CSP
// (script-src 'self', no 'unsafe-eval') forbids. zod probes for that when a
// schema is built and falls back, but the probe itself is reported as a CSP
// violation, and code that builds schemas where eval happens to be allowed
// (a DevTools evaluation) later throws EvalError on the first frame. Every
// schema in common/protocol is small, so the interpreter costs nothing we
// notice. zod reads this when each schema is built: import this module
// before anything that imports common/protocol (browserSocket.ts and
// WebConsole.tsx import it first).
z.config({ jitless: true });
