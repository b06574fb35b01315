import { Command, Option } from 'commander';
import { randomBytes } from 'node:crypto';
import { formatDuration } from '../../../common/duration';
import { parseLabels } from '../../../common/labels';
import { ConsoleOpen } from '../../../common/protocol';
import { cliActor } from '../audit/auditLog';
import { isLive } from '../auth/authenticate';
import { OPERATOR_NAME } from '../auth/operatorAuth';
import { issueApiToken, issueEnrollToken } from '../auth/issueTokens';
import { CertificateAuthority } from '../pki/certificateAuthority';
import { PkiError } from '../pki/pkiError';
import { ROLES, TOKEN_SCOPES, type Role, type TokenScope } from '../store/store';
import { auditFromCli } from './cliAudit';
import {
  CliError,
  collect,
  dataOption,
  jsonOption,
  parseTtl,
  printJson,
  printTable,
  shellWord,
  shortTime,
  withStore,
} from './cliSupport';

const DEFAULT_BROKER_URL = 'https://127.0.0.1:7420';
const DEFAULT_AGENT_STATE = '~/.local/share/fleetterm/agent';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * `<role>-<6 random base32 characters>`: the name is the operator identity
 * (who owns a session), so a default shared by everyone (the local user
 * name, `root` on a server) would let one person's token attach another's sessions.
 */
export function defaultTokenName(role: Role): string {
  return `${role}-${[...randomBytes(6)].map((byte) => BASE32[byte % 32]).join('')}`;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

interface EnrollFlags {
  data: string;
  name: string;
  label: string[];
  ttl: string;
  brokerUrl: string;
  agentState: string;
  json?: boolean;
}

async function createEnrollToken(flags: EnrollFlags): Promise<void> {
  const name = ConsoleOpen.shape.machine.safeParse(flags.name);
  if (!name.success) throw new CliError(`--name "${flags.name}": ${name.error.issues[0]?.message ?? 'invalid'}`);
  const labels = parseLabels(flags.label);
  if (!labels.ok) throw new CliError(`--label: ${labels.error}`);
  const ttlMs = parseTtl(flags.ttl, false) ?? 0;
  const issued = withStore(flags.data, (store) => {
    if (store.findMachineByName(name.data)) {
      throw new CliError(`a machine named "${name.data}" is already enrolled; choose another --name`);
    }
    return issueEnrollToken(store, { name: name.data, labels: labels.value, ttlMs, now: Date.now() });
  });
  let caPin: string;
  try {
    caPin = (await CertificateAuthority.loadOrCreate(flags.data)).caPin();
  } catch (error) {
    throw new CliError(error instanceof PkiError ? error.message : String(error));
  }
  const agentCommand = [
    'fleetterm-agent run',
    `--broker ${shellWord(flags.brokerUrl)}`,
    `--enroll-token ${issued.token}`,
    `--ca-pin ${caPin}`,
    `--state ${shellWord(flags.agentState)}`,
  ].join(' ');
  if (flags.json) {
    return printJson({ ...issued, expiresAt: iso(issued.expiresAt), caPin, agentCommand });
  }
  process.stdout.write(
    `Enrolment token for machine "${issued.name}" (single use, expires ${shortTime(issued.expiresAt)}, ` +
      `in ${formatDuration(ttlMs)}):\n  ${issued.token}\n` +
      `Broker CA pin (the agent refuses a broker whose CA does not match it):\n  ${caPin}\n\n` +
      `Run this on the machine:\n  ${agentCommand}\n`,
  );
}

interface TokenFlags {
  data: string;
  role: Role;
  scope: string;
  user?: string;
  name?: string;
  reuseName?: boolean;
  ttl: string;
  json?: boolean;
}

/** API tokens always expire; a year at most, so a forgotten one does not live forever. */
const MAX_TOKEN_TTL_MS = 365 * 24 * 60 * 60_000;
const RANK: Record<Role, number> = { auditor: 0, operator: 1, admin: 2 };

function parseScopes(text: string): TokenScope[] {
  const scopes = text
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  const unknown = scopes.find((scope) => !(TOKEN_SCOPES as readonly string[]).includes(scope));
  if (unknown !== undefined || scopes.length === 0) {
    throw new CliError(`--scope "${text}": name one or more of ${TOKEN_SCOPES.join(', ')}, comma separated`);
  }
  return [...new Set(scopes as TokenScope[])];
}

function createApiToken(flags: TokenFlags): void {
  const scopes = parseScopes(flags.scope);
  const ttlMs = parseTtl(flags.ttl, false) ?? 0;
  if (ttlMs > MAX_TOKEN_TTL_MS) throw new CliError('--ttl: API tokens live at most 365d; create a new one then');
  const now = Date.now();
  const issued = withStore(flags.data, (store) => {
    const user = flags.user === undefined ? undefined : store.users.findUserByName(flags.user);
    if (flags.user !== undefined && !user) throw new CliError(`--user: no enabled user is named "${flags.user}"`);
    if (user && RANK[flags.role] > RANK[user.role]) {
      throw new CliError(`--role ${flags.role} is more than ${user.name}'s own role (${user.role})`);
    }
    const name = user?.name ?? flags.name ?? defaultTokenName(flags.role);
    if (!OPERATOR_NAME.test(name)) {
      throw new CliError(`--name "${name}": use 1 to 64 letters, digits, . _ @ or -, starting with a letter or digit`);
    }
    // Names are identities: a second live token with a name is the same operator, so only on purpose.
    const holders = store.listApiTokens().filter((token) => token.name === name && isLive(token, now));
    if (holders.length > 0 && !flags.reuseName && !user) {
      throw new CliError(
        `a live API token is already named "${name}" (${holders.map((t) => `${t.id}, ${t.role}`).join('; ')}); ` +
          'choose another --name, or add --reuse-name if this token is for the same operator',
      );
    }
    const issued = issueApiToken(store, { name, role: flags.role, ttlMs, now, scopes, userId: user?.id ?? null });
    auditFromCli(flags.data, store, (audit) =>
      audit.record('token.created', {
        actor: cliActor(),
        target: name,
        detail: { tokenId: issued.id, role: issued.role, scopes, userId: issued.userId, expiresAt: issued.expiresAt },
      }),
    );
    return issued;
  });
  if (flags.json) return printJson({ ...issued, expiresAt: iso(issued.expiresAt) });
  const expiry = issued.expiresAt === null ? 'never expires' : `expires ${shortTime(issued.expiresAt)}`;
  process.stdout.write(
    `API token ${issued.id} for ${issued.name} (${issued.role}; ${scopes.join(', ')}; ${expiry}). It is shown only once:\n` +
      `  ${issued.token}\n\nUse it with: FLEETTERM_TOKEN=${issued.token} fleetterm ls\n`,
  );
}

function listApiTokens(flags: { data: string; json?: boolean }): void {
  const now = Date.now();
  const tokens = withStore(flags.data, (store) => store.listApiTokens(), { create: false });
  const status = (t: (typeof tokens)[number]) =>
    t.revokedAt !== null ? 'revoked' : t.expiresAt !== null && t.expiresAt <= now ? 'expired' : 'live';
  if (flags.json) {
    return printJson({
      tokens: tokens.map((t) => ({
        id: t.id,
        name: t.name,
        role: t.role,
        scopes: t.scopes,
        userId: t.userId,
        status: status(t),
        createdAt: iso(t.createdAt),
        expiresAt: iso(t.expiresAt),
        revokedAt: iso(t.revokedAt),
        lastUsedAt: iso(t.lastUsedAt),
      })),
    });
  }
  if (tokens.length === 0) return void process.stdout.write('No API tokens yet; create one with `token create`.\n');
  printTable(
    ['ID', 'NAME', 'ROLE', 'SCOPES', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.role,
      t.scopes.join(','),
      status(t),
      shortTime(t.createdAt),
      t.expiresAt === null ? 'never' : shortTime(t.expiresAt),
      shortTime(t.lastUsedAt),
    ]),
  );
}

function revokeApiTokens(idOrName: string, flags: { data: string; json?: boolean }): void {
  const revoked = withStore(
    flags.data,
    (store) => {
      const now = Date.now();
      const ids = store
        .listApiTokens()
        .filter((t) => (t.id === idOrName || t.name === idOrName) && t.revokedAt === null)
        .map((t) => t.id);
      const count = store.revokeApiTokens(idOrName, now);
      if (count > 0)
        auditFromCli(flags.data, store, (audit) =>
          audit.record('token.revoked', { actor: cliActor(), target: idOrName, detail: { tokenIds: ids } }),
        );
      return count;
    },
    { create: false },
  );
  if (revoked === 0) throw new CliError(`no live API token has the id or name "${idOrName}"; see \`token list\``);
  if (flags.json) return printJson({ revoked });
  process.stdout.write(
    `Revoked ${revoked} token${revoked === 1 ? '' : 's'}; a running broker closes the console links using it within a second.\n`,
  );
}

export function enrollTokenCommand(): Command {
  const group = new Command('enroll-token').description('one-time tokens that enrol a machine (its agent)');
  group
    .command('create')
    .description('create a single-use enrolment token and print the agent command that uses it')
    .addOption(dataOption())
    .requiredOption('--name <name>', 'the machine name the token enrols (letters, digits, . _ -)')
    .option('--label <key=value>', 'a label for the machine; repeat for more', collect, [])
    .option('--ttl <duration>', 'how long the token stays valid, e.g. 15m, 2h', '15m')
    .addOption(
      new Option('--broker-url <url>', 'the broker URL to put in the printed agent command')
        .env('FLEETTERM_BROKER')
        .default(DEFAULT_BROKER_URL),
    )
    .option('--agent-state <dir>', 'the agent state directory to put in the printed command', DEFAULT_AGENT_STATE)
    .addOption(jsonOption())
    .action(createEnrollToken);
  return group;
}

export function tokenCommand(): Command {
  const group = new Command('token').description('API tokens for consoles and the fleetterm client');
  group
    .command('create')
    .description('create an API token; its name is the operator identity in sessions and logs')
    .addOption(dataOption())
    .addOption(
      new Option('--role <role>', 'admin and operator may open shells; auditor may only list')
        .choices(ROLES)
        .makeOptionMandatory(),
    )
    .requiredOption('--scope <scopes>', `what it may do: ${TOKEN_SCOPES.join(', ')} (comma separated)`)
    .option('--user <name>', 'the user it acts for (its name; disabling the user revokes it)')
    .option(
      '--name <name>',
      'the operator name for a service account, unique among live tokens (default: <role>-<random>)',
    )
    .option('--reuse-name', 'allow a --name a live token already has: another token for the same operator')
    .option('--ttl <duration>', 'lifetime, e.g. 8h, 30d; at most 365d', '30d')
    .addOption(jsonOption())
    .action(createApiToken);
  group
    .command('list')
    .description('list API tokens (never their secrets)')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(listApiTokens);
  group
    .command('revoke')
    .description('revoke one token by id, or every live token of an operator by name')
    .argument('<id-or-name>', 'a token id (tok_…) or an operator name')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(revokeApiTokens);
  return group;
}
