import { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { formatLabels, parseLabels } from '../../../common/labels';
import { ConsoleOpen } from '../../../common/protocol';
import { cliActor } from '../audit/auditLog';
import { ANY_LOGIN_USER, BUILT_IN_POLICY, isPolicySubject, type AccessPolicy } from '../auth/accessPolicy';
import { auditFromCli } from './cliAudit';
import { CliError, dataOption, jsonOption, printJson, printTable, shortTime, withStore, collect } from './cliSupport';

const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

interface AddFlags {
  data: string;
  subject: string[];
  selector: string[];
  loginUser: string[];
  json?: boolean;
}

function addPolicy(name: string, flags: AddFlags): void {
  if (!POLICY_NAME.test(name)) throw new CliError(`policy name "${name}": use 1 to 64 letters, digits, . _ or -`);
  if (flags.subject.length === 0) throw new CliError('--subject is required: role:operator, user:alice, …');
  const badSubject = flags.subject.find((subject) => !isPolicySubject(subject));
  if (badSubject) {
    throw new CliError(`--subject "${badSubject}" must be role:admin|operator|auditor or user:NAME`);
  }
  const selector = parseLabels(flags.selector);
  if (!selector.ok) throw new CliError(`--selector: ${selector.error}`);
  if (flags.loginUser.length === 0) {
    throw new CliError(`--login-user is required (repeat it for more; ${ANY_LOGIN_USER} for any the agent allows)`);
  }
  const badUser = flags.loginUser.find(
    (user) => user !== ANY_LOGIN_USER && !ConsoleOpen.shape.loginUser.safeParse(user).success,
  );
  if (badUser) throw new CliError(`--login-user "${badUser}" is not a user name`);
  const policy: AccessPolicy = {
    id: randomUUID(),
    name,
    subjects: [...new Set(flags.subject)],
    selector: selector.value,
    loginUsers: [...new Set(flags.loginUser)],
    createdAt: Date.now(),
  };
  const first = withStore(flags.data, (store) => {
    const first = store.listPolicies().length === 0;
    if (!store.addPolicy(policy)) throw new CliError(`a policy is already named "${name}"; remove it first`);
    auditFromCli(flags.data, store, (audit) =>
      audit.record('policy.added', {
        actor: cliActor(),
        target: name,
        detail: { subjects: policy.subjects, selector: policy.selector, loginUsers: policy.loginUsers },
      }),
    );
    return first;
  });
  if (flags.json) return printJson(policy);
  process.stdout.write(
    `Added policy ${name}: ${policy.subjects.join(', ')} may open shells on ` +
      `${formatLabels(policy.selector) || 'every machine'} as ${policy.loginUsers.join(', ')}.\n` +
      (first ? 'It replaces the built-in default: operators no policy names may no longer open shells.\n' : ''),
  );
}

function listPolicies(flags: { data: string; json?: boolean }): void {
  const stored = withStore(flags.data, (store) => store.listPolicies(), { create: false });
  const policies = stored.length > 0 ? stored : [BUILT_IN_POLICY];
  if (flags.json) return printJson({ policies, builtIn: stored.length === 0 });
  printTable(
    ['NAME', 'SUBJECTS', 'MACHINES', 'LOGIN USERS', 'CREATED'],
    policies.map((p) => [
      p.name,
      p.subjects.join(','),
      formatLabels(p.selector) || '(all)',
      p.loginUsers.join(','),
      p === BUILT_IN_POLICY ? '(built in)' : shortTime(p.createdAt),
    ]),
  );
  if (stored.length === 0) {
    process.stdout.write('No policy is stored, so the built-in default applies; `policy add` replaces it.\n');
  }
}

function removePolicy(name: string, flags: { data: string; json?: boolean }): void {
  withStore(
    flags.data,
    (store) => {
      if (!store.removePolicy(name)) throw new CliError(`no policy is named "${name}"; see \`policy list\``);
      auditFromCli(flags.data, store, (audit) => audit.record('policy.removed', { actor: cliActor(), target: name }));
    },
    { create: false },
  );
  if (flags.json) return printJson({ removed: name });
  process.stdout.write(`Removed policy ${name}; it no longer opens shells (sessions it let open go on).\n`);
}

export function policyCommand(): Command {
  const group = new Command('policy').description(
    'access policies: who may open shells on which machines (by label) as which login users; admins need none',
  );
  group
    .command('add')
    .description('add a policy; the first one replaces the built-in "operators anywhere as anyone"')
    .argument('<name>', 'the policy name, shown in refusals')
    .addOption(dataOption())
    .option('--subject <subject>', 'role:operator or user:NAME; repeat for more', collect, [])
    .option(
      '--selector <key=value>',
      'machines must have this label; repeat for more (none: every machine)',
      collect,
      [],
    )
    .option('--login-user <user>', `a login user it allows; repeat for more; ${ANY_LOGIN_USER} for any`, collect, [])
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExample:\n  fleetterm-broker policy add ops-linux --subject role:operator --selector os=linux ' +
        '--login-user deploy --login-user ops',
    )
    .action(addPolicy);
  group
    .command('list')
    .description('list the policies (or the built-in default while none is stored)')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(listPolicies);
  group
    .command('remove')
    .description('remove a policy')
    .argument('<name>', 'the policy name')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(removePolicy);
  return group;
}
