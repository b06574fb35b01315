// Everything the harness starts registers how to stop it here; run() stops
// them in reverse order, once, whether the run ends normally, throws, times
// out or is interrupted.

const stack = [];
let running;

/** Registers `stop` (sync or async); returns a function that unregisters it. */
export function onCleanup(label, stop) {
  const entry = { label, stop };
  stack.push(entry);
  return () => {
    const i = stack.indexOf(entry);
    if (i >= 0) stack.splice(i, 1);
  };
}

/** Stops everything registered, last first; errors are reported, not thrown. */
export function runCleanup() {
  running ??= (async () => {
    while (stack.length > 0) {
      const { label, stop } = stack.pop();
      try {
        await stop();
      } catch (error) {
        console.error(`bench: stopping ${label} failed: ${error?.message ?? error}`);
      }
    }
  })();
  return running;
}

/** Exits after cleaning up on SIGINT/SIGTERM and when the global time budget is spent. */
export function installExitGuards(budgetMs) {
  const bail = (why, code) => {
    console.error(`bench: ${why}; stopping everything`);
    void runCleanup().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => bail('interrupted', 130));
  process.once('SIGTERM', () => bail('terminated', 143));
  const timer = setTimeout(() => bail(`time budget of ${budgetMs / 1000} s spent`, 2), budgetMs);
  return () => clearTimeout(timer);
}
