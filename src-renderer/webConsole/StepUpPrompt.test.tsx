import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { StepUpPrompt } from './StepUpPrompt';

const render = (offerCode: boolean) =>
  renderToStaticMarkup(
    <StepUpPrompt
      accessToken="fta_x"
      reason="confirm it is you with a passkey or your authenticator app first: removing a passkey needs a check within the last 5 min"
      offerCode={offerCode}
      onConfirmed={() => {}}
      onCancel={() => {}}
    />,
  );

describe('the step-up prompt', () => {
  it('is a modal dialog that says why, offers the passkey first and the app’s code as the fallback', () => {
    const html = render(true);
    expect(html).toContain('role="dialog"');
    expect(html).toContain('aria-modal="true"');
    expect(html).toContain('Confirm it’s you');
    expect(html).toContain('Confirm it is you with a passkey or your authenticator app first: removing a passkey');
    expect(html.indexOf('Confirm with a passkey')).toBeLessThan(html.indexOf('Confirm with the code'));
    expect(html).toContain('autoComplete="one-time-code"');
    expect(html).toContain('Cancel');
  });

  it('leaves the code out for someone without an authenticator app', () => {
    const html = render(false);
    expect(html).toContain('Confirm with a passkey');
    expect(html).not.toContain('Confirm with the code');
  });
});
