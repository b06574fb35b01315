import type { FleettermDesktopApi } from '../common/desktopApi';

declare global {
  interface Window {
    /** Present only inside the desktop app (the preload adds it); undefined in the web console. */
    fleetterm?: FleettermDesktopApi;
  }
}

/** The desktop API when running inside the app, undefined in a plain browser. */
export function getDesktopApi(): FleettermDesktopApi | undefined {
  return typeof window === 'undefined' ? undefined : window.fleetterm;
}
