import type { MessageBoxOptions } from 'electron';
import type { BrokerRoot } from '../node-common/trust';

/** The button that trusts the CA; Cancel is the default, so Enter never trusts by accident. */
export const TRUST_BUTTON = 0;

/**
 * The native dialog of a first contact: the broker's CA fingerprints, to
 * compare with what its admin sees (`fleetterm-broker ca show`), before
 * anything is pinned. Native, not in the page: a compromised page could
 * draw a lookalike dialog but cannot answer this one.
 */
export function fingerprintDialogOptions(broker: string, roots: readonly BrokerRoot[]): MessageBoxOptions {
  return {
    type: 'warning',
    title: 'Trust this broker?',
    message: `Fleetterm has not connected to ${broker} before. Trust its certificate authority?`,
    detail: [
      `SHA-256 fingerprint${roots.length === 1 ? '' : 's'}:`,
      ...roots.map((root) => `${root.fingerprint}${root.subject ? `\n(${root.subject})` : ''}`),
      '',
      "Compare with the broker's admin: `fleetterm-broker ca show` on the broker host prints it.",
      'Trust it only if it matches. From then on, Fleetterm accepts only this CA for this broker.',
    ].join('\n'),
    buttons: ['Trust this CA', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}
