import { Command } from 'commander';
import { CertificateAuthority, type ServerCertificate } from '../pki/certificateAuthority';
import { PkiError } from '../pki/pkiError';
import { CliError, dataOption, jsonOption, printJson, shortTime } from './cliSupport';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Runs a PKI step; its typed errors become operator errors (their messages already say what to do). */
async function cli<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof PkiError) throw new CliError(error.message);
    throw error;
  }
}

function report(ca: CertificateAuthority, server: ServerCertificate | null, json: boolean | undefined): void {
  const dnsNames = server?.dnsNames ?? [];
  if (json) {
    return printJson({ caPin: ca.caPin(), fingerprint: ca.rootFingerprint(), rootCert: ca.path('rootCert'), dnsNames });
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
}

async function init(flags: { data: string; dnsName: string[]; json?: boolean }): Promise<void> {
  const ca = await cli(() => CertificateAuthority.loadOrCreate(flags.data));
  // Without --dns-name, keep the names the current certificate has, so a second init only shows.
  const current = await ca.readServerCertificate();
  const dnsNames = flags.dnsName.length > 0 ? flags.dnsName : (current?.dnsNames ?? []);
  const ipAddresses = current?.ipAddresses ?? [];
  report(ca, await cli(() => ca.issueServerCertificate(dnsNames, ipAddresses)), flags.json);
}

async function show(flags: { data: string; json?: boolean }): Promise<void> {
  const ca = await cli(() => CertificateAuthority.load(flags.data));
  report(ca, await ca.readServerCertificate(), flags.json);
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
    .addOption(jsonOption())
    .action(init);
}

export function caCommand(): Command {
  const group = new Command('ca').description("the broker's certificate authority");
  group
    .command('show')
    .description('print the CA pin, the root fingerprint and where the files are')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(show);
  return group;
}
