import { describe, expect, it } from 'vitest';
import { fingerprintDialogOptions, TRUST_BUTTON } from './fingerprintDialog';

const root = { pem: '', pin: 'sha256/x', fingerprint: 'AB:CD:EF', subject: 'CN=Fleetterm Root CA 1a2b' };

describe('fingerprintDialogOptions', () => {
  it('shows the broker, each fingerprint and how to compare it', () => {
    const options = fingerprintDialogOptions('broker.example.org:7420', [root]);
    expect(options.message).toContain('broker.example.org:7420');
    expect(options.detail).toContain('AB:CD:EF\n(CN=Fleetterm Root CA 1a2b)');
    expect(options.detail).toContain('fleetterm-broker ca show');
  });

  it('defaults to Cancel, so Enter or Escape never trusts', () => {
    const options = fingerprintDialogOptions('b:1', [root]);
    expect(options.buttons?.[TRUST_BUTTON]).toBe('Trust this CA');
    expect(options.defaultId).not.toBe(TRUST_BUTTON);
    expect(options.cancelId).not.toBe(TRUST_BUTTON);
  });
});
