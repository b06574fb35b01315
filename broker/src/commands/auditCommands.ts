import { Command, Option } from 'commander';
import { join } from 'node:path';
import { CHECKPOINT_KEY_PATH, CheckpointKey } from '../audit/checkpointKey';
import { AUDIT_PAGE_SIZE, verifyStoredAuditChain } from '../audit/verifyAuditChain';
import { CliError, dataOption, jsonOption, printJson, withStore } from './cliSupport';

function verify(flags: { data: string; json?: boolean }): void {
  const verdict = withStore(
    flags.data,
    (store) => {
      let key: CheckpointKey | undefined;
      try {
        key = CheckpointKey.load(flags.data);
      } catch (error) {
        const file = join(flags.data, CHECKPOINT_KEY_PATH);
        throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return verifyStoredAuditChain(store, key);
    },
    { create: false },
  );
  if (flags.json) printJson(verdict);
  if (!verdict.ok)
    throw new CliError(`audit chain broken at entry ${verdict.seq} (${verdict.reason}): ${verdict.message}`);
  if (flags.json) return;
  const checkpoint =
    verdict.checkpointSeq === null ? 'no checkpoint yet' : `last checkpoint at seq ${verdict.checkpointSeq}`;
  process.stdout.write(`chain intact: ${verdict.events} events, ${checkpoint}\n`);
}

function parseSince(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new CliError(`--since "${text}": give an entry number (seq), e.g. 0 for all`);
  return Number(text);
}

function exportJsonl(flags: { data: string; format: 'jsonl'; since: string }): void {
  const since = parseSince(flags.since);
  withStore(
    flags.data,
    (store) => {
      for (let from = since + 1; ;) {
        const page = store.listAuditEvents(from, AUDIT_PAGE_SIZE);
        if (page.length > 0) process.stdout.write(page.map((event) => `${JSON.stringify(event)}\n`).join(''));
        const last = page.at(-1);
        if (!last || page.length < AUDIT_PAGE_SIZE) return;
        from = last.seq + 1;
      }
    },
    { create: false },
  );
}

export function auditCommand(): Command {
  const group = new Command('audit').description('the hash-chained audit log: verify it, export it');
  group
    .command('verify')
    .description('check the chain, its recorded head and its signed checkpoints; exit 1 naming the first bad entry')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(verify);
  group
    .command('export')
    .description('write audit entries to stdout, oldest first, one JSON object per line')
    .addOption(dataOption())
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl']).default('jsonl'))
    .option('--since <seq>', 'only entries after this seq (to continue an earlier export)', '0')
    .action(exportJsonl);
  return group;
}
