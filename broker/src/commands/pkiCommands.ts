import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { certificateFingerprint, spkiPin } from '../../../node-common/pki';
import { cliActor } from '../audit/auditLog';
import { retireCa, rotateCa } from '../pki/caRotation';
import { CertificateAuthority, type ServerCertificate } from '../pki/certificateAuthority';
import { PkiError } from '../pki/pkiError';
import { DB_FILE } from '../store/openSqliteStore';
import { auditFromCli } from './cliAudit';
import { CliError, dataOption, jsonOption, printJson, shortTime, withStore, collect } from './cliSupport';

/** Runs a PKI step; its typed errors become operator errors (their messages already say what to do). */
async function cli<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof PkiError) throw new CliError(error.message);
    throw error;
  }
}

/** Live machines per CA root, by their newest certificate; `undefined` before the database exists. */
function machinesByCa(dataDir: string): Map<string, number> | undefined {
  if (!existsSync(join(dataDir, DB_FILE))) return undefined;
  return new Map(withStore(dataDir, (store) => store.countMachinesByCa()).map((row) => [row.caPin, row.machines]));
}

const machineCount = (n: number): string => `${n} machine${n === 1 ? '' : 's'}`;

function report(
  ca: CertificateAuthority,
  server: ServerCertificate | null,
  json: boolean | undefined,
  machines?: Map<string, number>,
): void {
  const dnsNames = server?.dnsNames ?? [];
  const ipAddresses = server?.ipAddresses ?? [];
  const roots = ca.trustedRoots().map((root, index) => ({
    pin: spkiPin(root),
    fingerprint: certificateFingerprint(root),
    role: index === 0 ? 'current' : 'previous',
    machines: machines?.get(spkiPin(root)) ?? 0,
  }));
  if (json) {
    return printJson({
      caPin: ca.caPin(),
      fingerprint: ca.rootFingerprint(),
      rootCert: ca.path('rootCert'),
      dnsNames,
      ipAddresses,
      rotating: ca.rotating,
      roots,
    });
  }
  const serverLine = server
    ? `${ca.path('serverCert')} (${[...server.dnsNames, ...server.ipAddresses].join(', ')}; ` +
      `until ${shortTime(server.notAfter.getTime())}${server.reissued ? ', new' : ''})`
    : 'none yet (fleetterm-broker init makes one)';
  process.stdout.write(
    `Broker CA in ${ca.dir}\n` +
      `  CA pin:           ${ca.caPin()}\n` +
      `  Root fingerprint: ${ca.rootFingerprint()} (SHA-256)\n` +
      `  Root certificate: ${ca.path('rootCert')} (install it in trust stores: see docs/TRUST.md)\n` +
      `  Server cert:      ${serverLine}\n`,
  );
  if (ca.rotating) {
    const [current, previous] = roots;
    process.stdout.write(
      `\nRotation under way: agents move to the new CA at their next renewal.\n` +
        `  new CA:      ${current?.pin} (${machineCount(current?.machines ?? 0)})\n` +
        `  previous CA: ${previous?.pin} (${machineCount(previous?.machines ?? 0)}, still trusted)\n` +
        `Retire the previous CA with \`fleetterm-broker ca retire\` once it has no machines left ` +
        '(at most the agent certificate lifetime, 7 days, after the rotation).\n',
    );
  }
}

async function init(flags: { data: string; dnsName: string[]; ipAddress: string[]; json?: boolean }): Promise<void> {
  const ca = await cli(() => CertificateAuthority.loadOrCreate(flags.data));
  // Without names, keep the ones the current certificate has, so a second init only shows.
  const current = ca.storedServerNames();
  const dnsNames = flags.dnsName.length > 0 ? flags.dnsName : (current?.dnsNames ?? []);
  const ipAddresses = flags.ipAddress.length > 0 ? flags.ipAddress : (current?.ipAddresses ?? []);
  report(ca, await cli(() => ca.issueServerCertificate(dnsNames, ipAddresses)), flags.json);
}

async function show(flags: { data: string; json?: boolean }): Promise<void> {
  const ca = await cli(() => CertificateAuthority.load(flags.data));
  report(ca, await ca.readServerCertificate(), flags.json, machinesByCa(flags.data));
}

/** Audited through the store, which is also how a running broker learns to reload its certificates. */
function recordInAudit(dataDir: string, type: 'ca.rotated' | 'ca.retired', detail: Record<string, unknown>): void {
  withStore(dataDir, (store) =>
    auditFromCli(dataDir, store, (audit) => audit.record(type, { actor: cliActor(), detail })),
  );
}

async function rotate(flags: { data: string; json?: boolean }): Promise<void> {
  const previousPin = (await cli(() => CertificateAuthority.load(flags.data))).caPin();
  const ca = await cli(() => rotateCa(flags.data));
  recordInAudit(flags.data, 'ca.rotated', { newPin: ca.caPin(), previousPin });
  if (!flags.json) {
    process.stdout.write(
      'Started a CA rotation. Both CAs are trusted; agents get certificates from the new one at their next renewal,\n' +
        'and a running broker reloads within a second. Enrolment tokens print the new pin from now on.\n\n',
    );
  }
  report(ca, await ca.readServerCertificate(), flags.json, machinesByCa(flags.data));
}

async function retire(flags: { data: string; force?: boolean; json?: boolean }): Promise<void> {
  const before = await cli(() => CertificateAuthority.load(flags.data));
  const retiring = before.trustedRoots()[1];
  const retiredPin = retiring ? spkiPin(retiring) : undefined;
  const stragglers = retiredPin ? (machinesByCa(flags.data)?.get(retiredPin) ?? 0) : 0;
  if (stragglers > 0 && !flags.force) {
    throw new CliError(
      `${stragglers} machine${stragglers === 1 ? ' is' : 's are'} still on the previous CA and would be refused ` +
        'after retirement (they must then be enrolled again); wait for their renewal (see `ca show`), or add --force',
    );
  }
  const ca = await cli(() => retireCa(flags.data));
  const names = ca.storedServerNames();
  const server = await cli(() => ca.issueServerCertificate(names?.dnsNames ?? [], names?.ipAddresses ?? []));
  recordInAudit(flags.data, 'ca.retired', { retiredPin, machinesOnRetired: stragglers });
  if (!flags.json) {
    process.stdout.write(
      'Retired the previous CA: its certificates are refused from now on, and the server certificate comes from the\n' +
        'new CA (a running broker reloads within a second). Clients that pinned only the old root must pin again.\n\n',
    );
  }
  report(ca, server, flags.json, machinesByCa(flags.data));
}

export function initCommand(): Command {
  return new Command('init')
    .description("create the broker's CA and server certificate (or show them when they exist)")
    .addOption(dataOption())
    .option(
      '--dns-name <name>',
      'a DNS name the server certificate covers (localhost always); repeat for more',
      collect,
      [],
    )
    .option('--ip-address <address>', 'an IP address the server certificate covers; repeat for more', collect, [])
    .addOption(jsonOption())
    .action(init);
}

export function caCommand(): Command {
  const group = new Command('ca').description("the broker's certificate authority");
  group
    .command('show')
    .description('print the CA pin, the root fingerprint, where the files are and how a rotation stands')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(show);
  group
    .command('rotate')
    .description('start a CA rotation: a new CA signs agent certificates, the current one stays trusted')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(rotate);
  group
    .command('retire')
    .description('finish a rotation: stop trusting the previous CA and reissue the server certificate')
    .addOption(dataOption())
    .option('--force', 'retire even while machines still hold certificates from the previous CA')
    .addOption(jsonOption())
    .action(retire);
  return group;
}
