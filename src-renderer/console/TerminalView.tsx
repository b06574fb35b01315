import { useEffect, useMemo, useRef, useState } from 'react';
import { ConsoleLink, ProtocolRefusal } from '../../common/client';
import { call as brokerCall } from '../webConsole/brokerApi';
import { useStepUp } from '../webConsole/useStepUp';
import { checkCredentialOverHttp, consoleSocketUrl, createBrowserSocketFactory } from './browserSocket';
import type { Machine } from './machinesApi';
import type { TerminalController } from './terminalController';
import { TerminalPane } from './TerminalPane';
import type { SessionSource } from './terminalLike';

export interface TerminalViewProps {
  machine: Machine;
  /** The current access token (read at each request and connection). */
  accessToken: () => string;
  onClose: () => void;
}

/**
 * One machine's shell in the page: a console link to the broker that served
 * it, and a terminal pane whose sessions open with a one-time terminal token
 * (asking for a passkey step-up first when the last check is too old). Tabs
 * and split panes build on this.
 */
export function TerminalView({ machine, accessToken, onClose }: TerminalViewProps) {
  const { guard, prompt } = useStepUp(accessToken(), true);
  const [link] = useState(
    () =>
      new ConsoleLink({
        socketFactory: createBrowserSocketFactory({
          url: consoleSocketUrl(window.location.origin),
          token: accessToken,
          checkCredential: (token) => checkCredentialOverHttp('', token),
        }),
        software: 'fleetterm-web/0.1',
      }),
  );
  useEffect(() => () => link.dispose(), [link]);
  const controller = useRef<TerminalController | undefined>(undefined);
  // Closing the view ends the shell (leaving the page without closing keeps it for the resume grace).
  const close = () => {
    controller.current?.closeSession();
    onClose();
  };

  const source = useMemo<SessionSource>(
    () => ({
      open: async (size) => {
        const minted = await guard(() =>
          brokerCall<{ terminalToken: string }>('/api/v1/terminal-tokens', {
            body: { machine: machine.name },
            token: accessToken(),
          }),
        );
        if (!minted.ok) throw new ProtocolRefusal('FORBIDDEN', minted.error.message);
        return link.open({ machine: machine.name, mode: 'shell', ...size, terminalToken: minted.value.terminalToken });
      },
      attach: (sessionId, offset) => link.attach(sessionId, offset),
    }),
    [guard, link, machine.name, accessToken],
  );

  return (
    <section className="terminal-view" aria-label={`Terminal on ${machine.name}`}>
      <header className="terminal-view__bar">
        <span className="terminal-view__title">{machine.name}</span>
        <button type="button" className="terminal-view__close" onClick={close}>
          Close
        </button>
      </header>
      <TerminalPane
        source={source}
        label={`Terminal on ${machine.name}`}
        autoFocus
        retryAt={() => link.nextReconnectAt}
        onController={(made) => (controller.current = made)}
      />
      {prompt}
    </section>
  );
}
