import { describeStatus, type PaneStatus } from './terminalStatus';

export interface TerminalStatusBarProps {
  status: PaneStatus;
  /** Date.now() clock, for the reconnect countdown. */
  now: number;
  onReconnect(): void;
  onRestart(): void;
}

/** The strip under a terminal: the session's state in words, and what can be done about it. */
export function TerminalStatusBar({ status, now, onReconnect, onRestart }: TerminalStatusBarProps) {
  return (
    <div className={`terminal-status terminal-status--${status.kind}`} data-testid="terminal-status">
      <span className="terminal-status__dot" aria-hidden="true" />
      <span className="terminal-status__text" role="status" aria-live="polite">
        {describeStatus(status, now)}
      </span>
      {status.kind === 'disconnected' && (
        <button type="button" className="terminal-status__action" onClick={onReconnect}>
          Reconnect
        </button>
      )}
      {status.kind === 'exited' && (
        <button type="button" className="terminal-status__action" onClick={onRestart}>
          Restart
        </button>
      )}
    </div>
  );
}
