import { Command, Option } from 'commander';
import { formatDuration } from '../../../common/duration';
import { cliActor } from '../audit/auditLog';
import { OPERATOR_NAME } from '../auth/operatorAuth';
import { issueInvitation, registrationLink } from '../auth/users/invitations';
import { ROLES, type Role } from '../store/store';
import { auditFromCli } from './cliAudit';
import { CliError, dataOption, jsonOption, parseTtl, printJson, printTable, shortTime, withStore } from './cliSupport';

const DEFAULT_CONSOLE_URL = 'https://localhost:7420';

interface InviteFlags {
  data: string;
  role: Role;
  name?: string;
  ttl: string;
  consoleUrl: string;
  json?: boolean;
}

function invite(flags: InviteFlags): void {
  if (flags.name !== undefined && !OPERATOR_NAME.test(flags.name)) {
    throw new CliError(
      `--name "${flags.name}": use 1 to 64 letters, digits, . _ @ or -, starting with a letter or digit`,
    );
  }
  const ttlMs = parseTtl(flags.ttl, false) ?? 0;
  const issued = withStore(flags.data, (store) => {
    if (flags.name && store.users.findUserByName(flags.name)) {
      throw new CliError(`a user is already named "${flags.name}"; choose another --name`);
    }
    const invitation = issueInvitation(store, {
      role: flags.role,
      name: flags.name ?? null,
      // An invitation from the broker host's CLI; `null` would make it (and replace) the first admin's link.
      createdBy: store.users.listUsers().find((user) => user.role === 'admin' && user.disabledAt === null)?.id ?? null,
      ttlMs,
      now: Date.now(),
    });
    auditFromCli(flags.data, store, (audit) =>
      audit.record('user.invited', {
        actor: cliActor(),
        target: flags.name ?? null,
        detail: { role: flags.role, expiresAt: invitation.expiresAt },
      }),
    );
    return invitation;
  });
  const link = registrationLink(flags.consoleUrl, issued.secret);
  if (flags.json)
    return printJson({
      link,
      role: issued.role,
      name: issued.name,
      expiresAt: new Date(issued.expiresAt).toISOString(),
    });
  process.stdout.write(
    `One-time registration link for ${issued.name ?? 'a new user'} (${issued.role}, expires ${shortTime(issued.expiresAt)}, ` +
      `in ${formatDuration(ttlMs)}):\n  ${link}\n\nSend it to the person; they open it and create a passkey.\n`,
  );
}

function listUsers(flags: { data: string; json?: boolean }): void {
  const users = withStore(
    flags.data,
    (store) =>
      store.users.listUsers().map((user) => ({ ...user, passkeys: store.passkeys.listPasskeys(user.id).length })),
    { create: false },
  );
  if (flags.json) return printJson({ users });
  if (users.length === 0) return void process.stdout.write('No users yet; `users invite` makes a registration link.\n');
  printTable(
    ['NAME', 'ROLE', 'PASSKEYS', 'STATUS', 'CREATED'],
    users.map((user) => [
      user.name,
      user.role,
      String(user.passkeys),
      user.disabledAt === null ? 'enabled' : `disabled ${shortTime(user.disabledAt)}`,
      shortTime(user.createdAt),
    ]),
  );
}

function disableUser(name: string, flags: { data: string; json?: boolean }): void {
  const user = withStore(
    flags.data,
    (store) => {
      const disabled = store.users.disableUser(name, Date.now());
      if (!disabled) return undefined;
      auditFromCli(flags.data, store, (audit) =>
        audit.record('user.disabled', { actor: cliActor(), target: name, detail: { userId: disabled.id } }),
      );
      return disabled;
    },
    { create: false },
  );
  if (!user) throw new CliError(`no enabled user is named "${name}"; see \`users list\``);
  if (flags.json) return printJson({ disabled: user.name, userId: user.id });
  process.stdout.write(
    `Disabled ${user.name}: their sign-ins and API tokens stopped working; a running broker closes their console ` +
      'links within a second.\n',
  );
}

export function usersCommand(): Command {
  const group = new Command('users').description('people who sign in with passkeys: invite, list, disable');
  group
    .command('invite')
    .description('make a one-time registration link for a new user')
    .addOption(dataOption())
    .addOption(new Option('--role <role>', 'what they may do').choices(ROLES).makeOptionMandatory())
    .option('--name <name>', 'the user name it is for (default: they choose)')
    .option('--ttl <duration>', 'how long the link stays valid, e.g. 1h, 2d', '24h')
    .addOption(
      new Option('--console-url <url>', 'the web console address to put in the link')
        .env('FLEETTERM_CONSOLE_URL')
        .default(DEFAULT_CONSOLE_URL),
    )
    .addOption(jsonOption())
    .action(invite);
  group.command('list').description('list users').addOption(dataOption()).addOption(jsonOption()).action(listUsers);
  group
    .command('disable')
    .description('disable a user: end their sign-ins, revoke their API tokens, close their links')
    .argument('<name>', 'the user name')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(disableUser);
  return group;
}
