import { formatLabels, matchesLabels, type Labels } from '../../../common/labels';
import type { Role } from '../store/store';

/**
 * Who may open shells where, as whom. A policy applies to its subjects
 * (`role:operator`, `user:alice`), on machines whose labels include every
 * label of its selector (an empty selector: every machine), as any of its
 * login users (`*`: any the agent allows).
 */
export interface AccessPolicy {
  id: string;
  name: string;
  subjects: string[];
  selector: Labels;
  loginUsers: string[];
  createdAt: number;
}

/** Any login user the agent itself allows. */
export const ANY_LOGIN_USER = '*';

/**
 * What applies while no policy is stored: operators may open shells on
 * every machine as any login user the agent allows (the agent's own
 * `login_users` still limits them). Adding the first policy replaces it.
 */
export const BUILT_IN_POLICY: AccessPolicy = {
  id: 'built-in',
  name: 'built-in-default',
  subjects: ['role:operator'],
  selector: {},
  loginUsers: [ANY_LOGIN_USER],
  createdAt: 0,
};

export interface AccessRequest {
  operator: { name: string; role: Role };
  machine: { name: string; labels: Labels };
  /** Undefined: the agent's default login user. */
  loginUser: string | undefined;
}

export type AccessDecision = { allowed: true; policy: string } | { allowed: false; reason: string };

const SUBJECT = /^(role:(admin|operator|auditor)|user:[A-Za-z0-9][A-Za-z0-9._@-]{0,63})$/;

export function isPolicySubject(text: string): boolean {
  return SUBJECT.test(text);
}

const describeSelector = (selector: Labels): string =>
  Object.keys(selector).length === 0 ? 'every machine' : `machines with ${formatLabels(selector)}`;

/**
 * Decides an open. Admins may open any shell the agent allows; operators
 * need a policy for themselves or their role that covers the machine and
 * the login user; auditors never open shells (refused before this). The
 * reason of a refusal names the policies that came closest, so the person
 * refused knows what to ask for.
 */
export function decideAccess(request: AccessRequest, stored: readonly AccessPolicy[]): AccessDecision {
  const { operator, machine, loginUser } = request;
  if (operator.role === 'admin') return { allowed: true, policy: 'role:admin' };
  const policies = stored.length > 0 ? stored : [BUILT_IN_POLICY];
  const mine = policies.filter(
    (policy) => policy.subjects.includes(`role:${operator.role}`) || policy.subjects.includes(`user:${operator.name}`),
  );
  if (mine.length === 0) {
    return {
      allowed: false,
      reason: `no access policy names you (${operator.name}) or your role (${operator.role}); ask an admin for one`,
    };
  }
  const here = mine.filter((policy) => matchesLabels(machine.labels, policy.selector));
  if (here.length === 0) {
    const labels = formatLabels(machine.labels) || 'no labels';
    const yours = mine.map((policy) => `${policy.name} (${describeSelector(policy.selector)})`).join('; ');
    return {
      allowed: false,
      reason: `no access policy of yours covers machine ${machine.name} (${labels}); yours: ${yours}`,
    };
  }
  const fits = here.find(
    (policy) =>
      policy.loginUsers.includes(ANY_LOGIN_USER) || (loginUser !== undefined && policy.loginUsers.includes(loginUser)),
  );
  if (fits) return { allowed: true, policy: fits.name };
  const allowed = here.map((policy) => `policy ${policy.name} allows login users ${policy.loginUsers.join(', ')}`);
  return {
    allowed: false,
    reason:
      loginUser === undefined
        ? `${allowed.join('; ')}; choose one (fleetterm shell --user NAME)`
        : `${allowed.join('; ')}; you asked for ${loginUser}`,
  };
}
