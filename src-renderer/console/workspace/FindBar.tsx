import { useEffect, useRef, useState } from 'react';
import { useWorkspaceRuntime } from './workspaceRuntime';

/** Find in a pane's scrollback: Enter finds the next match, Shift+Enter the previous, Escape closes. */
export function FindBar({ paneId, onClose }: { paneId: string; onClose(): void }) {
  const runtime = useWorkspaceRuntime();
  const input = useRef<HTMLInputElement>(null);
  const [term, setTerm] = useState('');
  const [missed, setMissed] = useState(false);
  useEffect(() => input.current?.focus(), []);
  const controller = () => runtime.controllers.get(paneId);
  const close = () => {
    controller()?.clearSearch();
    onClose();
    controller()?.focus();
  };
  return (
    <div className="find-bar" role="search" aria-label="Find in terminal">
      <input
        ref={input}
        type="search"
        aria-label="Find in terminal"
        placeholder="Find"
        value={term}
        className={missed ? 'is-missed' : undefined}
        onChange={(event) => {
          setTerm(event.target.value);
          setMissed(event.target.value !== '' && !(controller()?.findNext(event.target.value) ?? false));
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            close();
          } else if (event.key === 'Enter' && term !== '') {
            event.preventDefault();
            const found = event.shiftKey ? controller()?.findPrevious(term) : controller()?.findNext(term);
            setMissed(!found);
          }
        }}
      />
      {missed && <span className="find-bar__missed">No match</span>}
      <button type="button" className="icon-button" aria-label="Close find" onClick={close}>
        ×
      </button>
    </div>
  );
}
