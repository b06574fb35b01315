import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

/** A passwd entry: who a shell runs as, where it starts, and which shell (empty when the entry names none). */
export interface LoginUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** Parses one line of /etc/passwd (or of `getent passwd`): name:x:uid:gid:gecos:home:shell. */
export function parsePasswdLine(line: string): LoginUser | undefined {
  const fields = line.split(':');
  if (fields.length < 7) return undefined;
  const [name, , uid, gid, , home, shell] = fields;
  if (!name || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) return undefined;
  return { name, uid: Number(uid), gid: Number(gid), home: home || '/', shell: shell ?? '' };
}

/** `getent` asks NSS (LDAP, sssd…); a broken directory must not stall the agent for long. */
const GETENT_TIMEOUT_MS = 2000;

/**
 * Looks a user up in the system's user database: the agent's own user
 * through the OS (works everywhere, macOS and Windows too), others through
 * `getent passwd` (which also sees LDAP and other NSS sources), else
 * /etc/passwd.
 */
export function lookupUser(name: string): LoginUser | undefined {
  const self = selfUser();
  if (self && name === self.name) return self;
  try {
    const line = execFileSync('getent', ['passwd', name], {
      encoding: 'utf8',
      timeout: GETENT_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const user = parsePasswdLine(line.trim());
    if (user?.name === name) return user;
  } catch {
    // no getent (macOS), or no such user: look in the file
  }
  try {
    return readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map(parsePasswdLine)
      .find((user) => user?.name === name);
  } catch {
    return undefined;
  }
}

function selfUser(): LoginUser | undefined {
  try {
    const self = userInfo();
    return { name: self.username, uid: self.uid, gid: self.gid, home: self.homedir, shell: self.shell ?? '' };
  } catch {
    return undefined; // a uid without a passwd entry (some containers)
  }
}

/** The user the agent itself runs as. */
export function agentUser(): string {
  return selfUser()?.name ?? process.env.USER ?? String(process.getuid?.() ?? 'unknown');
}

/** Whether this process may start shells as other users (it runs as root). */
export function canSwitchUser(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
