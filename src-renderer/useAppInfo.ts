import { useEffect, useState } from 'react';
import type { FleettermDesktopApi } from '../common/desktopApi';
import type { AppInfoState } from './appInfoState';

/** Asks the desktop app for its versions once; in a browser there is nothing to ask. */
export function useAppInfo(desktopApi: FleettermDesktopApi | undefined): AppInfoState {
  const [state, setState] = useState<AppInfoState>(() => (desktopApi ? { kind: 'loading' } : { kind: 'browser' }));

  useEffect(() => {
    if (!desktopApi) return;
    // A late answer after unmount (or after StrictMode's test unmount) is dropped.
    let current = true;
    desktopApi.getAppInfo().then(
      (info) => current && setState({ kind: 'ready', info }),
      (error: unknown) =>
        current && setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [desktopApi]);

  return state;
}
