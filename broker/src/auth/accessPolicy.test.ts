import { describe, expect, it } from 'vitest';
import { decideAccess, type AccessPolicy } from './accessPolicy';

const policy = (name: string, fields: Partial<AccessPolicy>): AccessPolicy => ({
  id: name,
  name,
  subjects: ['role:operator'],
  selector: {},
  loginUsers: ['*'],
  createdAt: 0,
  ...fields,
});

const alice = { name: 'alice', role: 'operator' as const };
const prodWeb = { name: 'web-1', labels: { env: 'prod', os: 'linux' } };
const opsLinux = policy('ops-linux', { selector: { os: 'linux' }, loginUsers: ['deploy', 'ops'] });

describe('decideAccess', () => {
  it('lets operators in anywhere while no policy is stored (the built-in default)', () => {
    expect(decideAccess({ operator: alice, machine: prodWeb, loginUser: 'root' }, [])).toEqual({
      allowed: true,
      policy: 'built-in-default',
    });
  });

  it('lets admins in without a policy', () => {
    const admin = { name: 'root-admin', role: 'admin' as const };
    expect(decideAccess({ operator: admin, machine: prodWeb, loginUser: 'root' }, [opsLinux]).allowed).toBe(true);
  });

  it('allows a login user the matching policy lists, by role or by user', () => {
    expect(decideAccess({ operator: alice, machine: prodWeb, loginUser: 'deploy' }, [opsLinux])).toEqual({
      allowed: true,
      policy: 'ops-linux',
    });
    const mine = policy('alice-root', { subjects: ['user:alice'], loginUsers: ['root'] });
    expect(decideAccess({ operator: alice, machine: prodWeb, loginUser: 'root' }, [opsLinux, mine])).toEqual({
      allowed: true,
      policy: 'alice-root',
    });
  });

  it('refuses a wrong login user, naming the policy and what it allows', () => {
    expect(decideAccess({ operator: alice, machine: prodWeb, loginUser: 'root' }, [opsLinux])).toEqual({
      allowed: false,
      reason: 'policy ops-linux allows login users deploy, ops; you asked for root',
    });
    expect(decideAccess({ operator: alice, machine: prodWeb, loginUser: undefined }, [opsLinux])).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('choose one (fleetterm shell --user NAME)'),
    });
  });

  it('refuses a machine whose labels no policy of yours covers, naming yours', () => {
    const staging = policy('ops-staging', { selector: { env: 'staging' } });
    expect(decideAccess({ operator: alice, machine: prodWeb, loginUser: 'deploy' }, [staging])).toEqual({
      allowed: false,
      reason:
        'no access policy of yours covers machine web-1 (env=prod,os=linux); yours: ops-staging (machines with env=staging)',
    });
  });

  it('refuses someone no policy names', () => {
    const onlyBob = policy('bob', { subjects: ['user:bob'] });
    expect(decideAccess({ operator: alice, machine: prodWeb, loginUser: 'deploy' }, [onlyBob])).toMatchObject({
      allowed: false,
      reason: 'no access policy names you (alice) or your role (operator); ask an admin for one',
    });
  });
});
