import { useState, type FormEvent } from 'react';
import { formatLabels, matchesLabels } from '../../../common/labels';
import { useConsoleStore } from '../store/useConsoleStore';
import type { BroadcastScope } from '../store/broadcastSlice';
import { Modal } from './Modal';
import { parseSelector } from './tabColor';
import { useWorkspaceRuntime } from './workspaceRuntime';

/**
 * Arms broadcast for every open pane whose machine matches a label
 * selector (panes opened later too), and offers to open the matching
 * machines that have no pane yet.
 */
export function LabelBroadcastDialog({ onClose }: { onClose(): void }) {
  const runtime = useWorkspaceRuntime();
  const machines = useConsoleStore((state) => state.machines.list);
  const panes = useConsoleStore((state) => state.workspace.panes);
  const openMachines = useConsoleStore((state) => state.openMachines);
  const [text, setText] = useState('');
  const parsed = text.trim() === '' ? undefined : parseSelector(text);
  const selector = parsed?.ok ? parsed.value : undefined;
  const matching = selector ? machines.filter((machine) => matchesLabels(machine.labels, selector)) : [];
  const open = new Set(Object.values(panes).map((pane) => pane.machine));
  const missing = matching.filter((machine) => machine.online && !open.has(machine.name));

  const arm = async (event: FormEvent, withMissing: boolean) => {
    event.preventDefault();
    if (!selector) return;
    if (withMissing && missing.length > 0)
      openMachines(
        missing.map((machine) => machine.name),
        'grid',
      );
    const scope: BroadcastScope = { kind: 'selector', selector };
    onClose();
    await runtime.arm(scope);
  };

  return (
    <Modal title="Broadcast by label" onClose={onClose}>
      <form className="label-broadcast" onSubmit={(event) => void arm(event, false)}>
        <label>
          <span>Machines labelled</span>
          <input
            value={text}
            placeholder="env=staging role=web"
            onChange={(event) => setText(event.target.value)}
            aria-describedby="label-broadcast-help"
          />
        </label>
        <p id="label-broadcast-help" className="card__hint" role="status">
          {parsed && !parsed.ok
            ? parsed.error
            : selector
              ? `${matching.length} machine${matching.length === 1 ? '' : 's'} labelled ${formatLabels(selector)}; ` +
                `${matching.filter((machine) => open.has(machine.name)).length} with open panes`
              : 'Every label must match; panes opened later on matching machines join the broadcast.'}
        </p>
        <div className="card__row">
          <button type="submit" disabled={!selector}>
            Arm broadcast
          </button>
          {missing.length > 0 && (
            <button type="button" className="button--quiet" onClick={(event) => void arm(event, true)}>
              Open {missing.length} more and arm
            </button>
          )}
          <button type="button" className="button--quiet" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
