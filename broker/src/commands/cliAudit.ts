import { AuditLog } from '../audit/auditLog';
import { CheckpointKey } from '../audit/checkpointKey';
import { createLogger, type Logger } from '../../../node-common/logger';
import type { Store } from '../store/store';

/**
 * CLI commands write to the same database as `serve`, so they append to the
 * same chain, and sign a checkpoint as they finish. The write also moves the
 * store's change counter, which is how a running broker learns of it.
 */
export function auditFromCli(dataDir: string, store: Store, write: (audit: AuditLog) => void): void {
  const log = createLogger('fleetterm-broker', 'pretty');
  const audit = new AuditLog({ store, log, checkpointKey: loadKeyOrWarn(dataDir, log) });
  write(audit);
  audit.close();
}

function loadKeyOrWarn(dataDir: string, log: Logger): CheckpointKey | undefined {
  try {
    return CheckpointKey.loadOrCreate(dataDir);
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, 'audit checkpoint key unavailable');
    return undefined;
  }
}
