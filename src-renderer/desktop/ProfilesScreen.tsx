import { useCallback, useEffect, useState } from 'react';
import { Brand } from '../Brand';
import type { BrokerProfile, FleettermDesktopApi, ProfileList } from '../../common/desktopApi';
import { AddBrokerForm } from './AddBrokerForm';
import { createDesktopSession, type DesktopSession } from './desktopSession';
import { describeSignIn, describeTrust } from './profileText';
import './desktop.css';

export interface ProfilesScreenProps {
  api: FleettermDesktopApi;
  /** A broker is signed in: the workspace takes over from here. */
  onSignedIn(session: DesktopSession): void;
  /** A message to show on arrival, e.g. why the last session ended. */
  notice?: string;
  /** What main answered, for rendering without waiting (tests). */
  initial?: ProfileList;
  now?: () => number;
}

type RowState = {
  busy?: 'signing-in' | 'opening' | 'signing-out' | 'removing';
  confirmRemove?: boolean;
  error?: string;
};

/**
 * The desktop app's first screen: the brokers it knows, each with its
 * trust and sign-in state; sign in (a window or the system browser, run by
 * main), sign out, remove; and a form to add a broker. Secrets never reach
 * this page: main hands it short-lived access tokens only.
 */
export function ProfilesScreen({ api, onSignedIn, notice, initial, now = Date.now }: ProfilesScreenProps) {
  const [list, setList] = useState<ProfileList | undefined>(initial);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [rows, setRows] = useState<Record<string, RowState>>({});
  const setRow = (id: string, state: RowState) => setRows((current) => ({ ...current, [id]: state }));

  const reload = useCallback(() => {
    api.listProfiles().then(
      (next) => setList(next),
      (error: unknown) => setLoadError(error instanceof Error ? error.message : String(error)),
    );
  }, [api]);
  useEffect(() => {
    if (initial === undefined) reload();
  }, [initial, reload]);

  async function signIn(profile: BrokerProfile, fresh: boolean) {
    setRow(profile.id, { busy: fresh ? 'signing-in' : 'opening' });
    const answer = fresh ? await api.signIn(profile.id) : await api.getAccessToken(profile.id);
    if (!answer.ok) {
      setRow(profile.id, { error: answer.error.message });
      return reload();
    }
    setRow(profile.id, {});
    onSignedIn(createDesktopSession(api, profile, answer.value));
  }

  async function signOut(profile: BrokerProfile) {
    setRow(profile.id, { busy: 'signing-out' });
    const answer = await api.signOut(profile.id);
    setRow(profile.id, answer.ok ? {} : { error: answer.error.message });
    reload();
  }

  async function remove(profile: BrokerProfile) {
    setRow(profile.id, { busy: 'removing' });
    // On success main reloads the page (its CSP lists the brokers); until then, show the outcome.
    const answer = await api.removeProfile(profile.id);
    setRow(profile.id, answer.ok ? {} : { error: answer.error.message });
    reload();
  }

  async function add(request: Parameters<FleettermDesktopApi['addProfile']>[0]) {
    const answer = await api.addProfile(request);
    if (!answer.ok) return answer.error.message;
    reload();
    return undefined;
  }

  return (
    <main className="web-console web-console--wide desktop-profiles">
      <Brand />
      {notice && <p className="web-console__notice">{notice}</p>}
      <section className="card" aria-labelledby="brokers-title">
        <h1 id="brokers-title">Brokers</h1>
        {loadError && (
          <p role="alert" className="card__error">
            {loadError}
          </p>
        )}
        {!list && !loadError && <p role="status">Loading…</p>}
        {list && <p className="card__hint">{list.secretStorage.message}</p>}
        {list && list.profiles.length === 0 && (
          <p className="card__lead">No broker yet. Add the address your admin gave you below.</p>
        )}
        {list && list.profiles.length > 0 && (
          <ul className="account-list">
            {list.profiles.map((profile) => {
              const row = rows[profile.id] ?? {};
              const signedIn = profile.signedIn !== null && profile.signedIn.until > now();
              return (
                <li key={profile.id} className="account-list__item" data-testid="broker-profile">
                  <div className="account-list__text">
                    <span className="account-list__name">{profile.name}</span>
                    <span className="account-list__meta">{profile.url}</span>
                    <span className="account-list__meta">{describeTrust(profile)}</span>
                    <span className="account-list__meta">{describeSignIn(profile, now())}</span>
                    {row.error && (
                      <span role="alert" className="card__error desktop-pre">
                        {row.error}
                      </span>
                    )}
                  </div>
                  <div className="account-list__actions">
                    {row.busy === 'signing-in' ? (
                      <button type="button" className="button--quiet" onClick={() => void api.cancelSignIn(profile.id)}>
                        Cancel sign-in
                      </button>
                    ) : row.confirmRemove ? (
                      <>
                        <button type="button" className="button--danger" onClick={() => void remove(profile)}>
                          Remove {profile.name}
                        </button>
                        <button type="button" className="button--quiet" onClick={() => setRow(profile.id, {})}>
                          Keep
                        </button>
                      </>
                    ) : (
                      <>
                        <button
                          type="button"
                          disabled={row.busy !== undefined}
                          onClick={() => void signIn(profile, !signedIn)}
                        >
                          {signedIn ? (row.busy === 'opening' ? 'Opening…' : 'Open') : 'Sign in'}
                        </button>
                        {signedIn && (
                          <button
                            type="button"
                            className="button--quiet"
                            disabled={row.busy !== undefined}
                            onClick={() => void signOut(profile)}
                          >
                            Sign out
                          </button>
                        )}
                        <button
                          type="button"
                          className="button--quiet button--danger"
                          disabled={row.busy !== undefined}
                          onClick={() => setRow(profile.id, { confirmRemove: true })}
                        >
                          Remove
                        </button>
                      </>
                    )}
                  </div>
                  {row.busy === 'signing-in' && (
                    <p role="status" className="card__hint">
                      Confirm the sign-in with your passkey in the window or browser that opened.
                    </p>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section className="card">
        <AddBrokerForm onAdd={add} />
      </section>
    </main>
  );
}
