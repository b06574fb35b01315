import { useState, type FormEvent } from 'react';
import type { PasskeyInfo } from './accountApi';
import { formatWhen } from './formatWhen';

export interface PasskeyListProps {
  passkeys: PasskeyInfo[];
  /** The broker's clock, for "last used 5 minutes ago". */
  now: number;
  busy: boolean;
  /** True when the passkey was added (the name field then empties). */
  onAdd: (name: string) => Promise<boolean>;
  onRename: (id: string, name: string) => void;
  onRemove: (id: string) => void;
}

/** The person's passkeys: each with when it was added and last used, renamed in place, removed; and a new one. */
export function PasskeyList({ passkeys, now, busy, onAdd, onRename, onRemove }: PasskeyListProps) {
  const [newName, setNewName] = useState('');

  async function add(event: FormEvent) {
    event.preventDefault();
    if (await onAdd(newName)) setNewName('');
  }

  return (
    <section className="card" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      <p className="card__lead">Each passkey signs you in on its own. Keep at least two, on different devices.</p>
      <ul className="account-list">
        {passkeys.map((passkey) => (
          <PasskeyRow
            key={passkey.id}
            passkey={passkey}
            now={now}
            busy={busy}
            onRename={(name) => onRename(passkey.id, name)}
            onRemove={() => onRemove(passkey.id)}
          />
        ))}
      </ul>
      <form className="account-form" onSubmit={(event) => void add(event)} aria-label="Add a passkey">
        <label>
          <span>
            New passkey’s name <span className="card__hint">(for example “phone” or “YubiKey”)</span>
          </span>
          <input name="passkeyName" value={newName} onChange={(event) => setNewName(event.target.value)} required />
        </label>
        <button type="submit" disabled={busy}>
          Add a passkey
        </button>
      </form>
    </section>
  );
}

interface PasskeyRowProps {
  passkey: PasskeyInfo;
  now: number;
  busy: boolean;
  onRename: (name: string) => void;
  onRemove: () => void;
}

function PasskeyRow({ passkey, now, busy, onRename, onRemove }: PasskeyRowProps) {
  const [editing, setEditing] = useState<string | undefined>(undefined);

  function save(event: FormEvent) {
    event.preventDefault();
    if (editing !== undefined) onRename(editing);
    setEditing(undefined);
  }

  if (editing !== undefined) {
    return (
      <li className="account-list__item">
        <form className="account-list__rename" onSubmit={save}>
          <input
            aria-label={`New name for ${passkey.name}`}
            value={editing}
            onChange={(event) => setEditing(event.target.value)}
            autoFocus
            required
          />
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" className="button--quiet" onClick={() => setEditing(undefined)}>
            Cancel
          </button>
        </form>
      </li>
    );
  }
  return (
    <li className="account-list__item" data-testid="passkey">
      <div className="account-list__text">
        <span className="account-list__name">{passkey.name}</span>
        <span className="account-list__meta">
          added {formatWhen(passkey.createdAt, now)} ·{' '}
          {passkey.lastUsedAt === null ? 'not used yet' : `last used ${formatWhen(passkey.lastUsedAt, now)}`}
          {passkey.backedUp && ' · synced'}
        </span>
      </div>
      <div className="account-list__actions">
        <button
          type="button"
          className="button--quiet"
          onClick={() => setEditing(passkey.name)}
          disabled={busy}
          aria-label={`Rename ${passkey.name}`}
        >
          Rename
        </button>
        <button
          type="button"
          className="button--quiet button--danger"
          onClick={onRemove}
          disabled={busy}
          aria-label={`Remove ${passkey.name}`}
        >
          Remove
        </button>
      </div>
    </li>
  );
}
