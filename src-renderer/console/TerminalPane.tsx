import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { TerminalController, type SessionInfo } from './terminalController';
import type { ResumePoint, SessionSource, TerminalSettings } from './terminalLike';
import type { PaneStatus } from './terminalStatus';
import { TerminalStatusBar } from './TerminalStatusBar';

export interface TerminalPaneProps {
  /** Opens and takes up sessions for this pane's machine. A new source makes a new terminal. */
  source: SessionSource;
  /** Take up this session instead of opening one (read once, when the terminal is made). */
  resume?: ResumePoint;
  /** Applied whenever the object changes: memoize it. */
  settings?: TerminalSettings;
  /** When the next re-attach attempt is due, if known (Date.now() clock). */
  retryAt?: () => number | undefined;
  /** Accessible name of the terminal, e.g. the machine's name. */
  label: string;
  autoFocus?: boolean;
  /** Offered every key and paste first (broadcast input); true when it took the input. */
  routeInput?(data: string | Uint8Array): boolean;
  /** Asked before a paste is sent; false drops it. */
  confirmPaste?(text: string): boolean | Promise<boolean>;
  onStatus?(status: PaneStatus): void;
  onTitle?(title: string): void;
  onSession?(session: SessionInfo): void;
  /** The controller once made, undefined once disposed: for tab actions (close, search, paste). */
  onController?(controller: TerminalController | undefined): void;
}

/** How often the reconnect countdown is redrawn. */
const COUNTDOWN_TICK_MS = 1000;

/**
 * A terminal and its status bar. The terminal itself lives in a
 * TerminalController, outside React: this component only gives it a DOM
 * node, shows its status and disposes it on unmount (which detaches the
 * session; the controller's closeSession() ends it).
 */
export function TerminalPane(props: TerminalPaneProps) {
  const { source, settings } = props;
  const screenRef = useRef<HTMLDivElement>(null);
  // The latest props for the controller's callbacks, without making a new terminal when they change.
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });
  const [controller, setController] = useState<TerminalController>();
  const [status, setStatus] = useState<PaneStatus>({ kind: 'connecting' });
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const screen = screenRef.current;
    if (!screen) return;
    const created = new TerminalController({
      source,
      resume: latest.current.resume,
      settings: latest.current.settings,
      retryAt: () => latest.current.retryAt?.(),
      routeInput: (data) => latest.current.routeInput?.(data) ?? false,
      confirmPaste: (text) => latest.current.confirmPaste?.(text) ?? true,
    });
    created.onStatus((next) => {
      setStatus(next);
      latest.current.onStatus?.(next);
    });
    created.onTitle((title) => latest.current.onTitle?.(title));
    created.onSession((session) => latest.current.onSession?.(session));
    created.mount(screen);
    if (latest.current.autoFocus) created.focus();
    setController(created);
    setStatus(created.status);
    latest.current.onController?.(created);
    return () => {
      latest.current.onController?.(undefined);
      // Disposing also drops the listeners above.
      created.dispose();
      setController(undefined);
    };
  }, [source]);

  useEffect(() => {
    if (controller && settings) controller.updateSettings(settings);
  }, [controller, settings]);

  // The countdown: re-read the status (its retryAt may have moved) once a second.
  const counting = status.kind === 'reconnecting' && controller !== undefined;
  useEffect(() => {
    if (!counting || !controller) return;
    const tick = () => {
      setNow(Date.now());
      setStatus(controller.status);
    };
    tick();
    const timer = window.setInterval(tick, COUNTDOWN_TICK_MS);
    return () => window.clearInterval(timer);
  }, [counting, controller]);

  return (
    <section className={`terminal-pane terminal-pane--${status.kind}`} aria-label={props.label}>
      {/* The theme's background also fills the part of the box a whole row does not cover. */}
      <div
        className="terminal-pane__screen"
        ref={screenRef}
        style={settings?.theme?.background ? { background: settings.theme.background } : undefined}
      />
      <TerminalStatusBar
        status={status}
        now={now}
        onReconnect={() => controller?.reconnect()}
        onRestart={() => {
          controller?.restart();
          controller?.focus();
        }}
      />
    </section>
  );
}
