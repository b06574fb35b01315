/** The bracketed-paste markers, 7-bit (ESC [) and 8-bit (CSI) forms. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PASTE_MARKER = /(?:\x1b\[|\x9b)20[01]~/g;

/**
 * Removes bracketed-paste markers from pasted text. Pasted text containing
 * `ESC[201~` would end the bracket early, and whatever follows would run as
 * typed commands instead of being pasted: the "paste injection" that
 * iTerm2, kitty and others guard against the same way. Repeated, because
 * removing one marker can join the pieces of another.
 */
export function sanitizePaste(text: string): string {
  let current = text;
  for (;;) {
    const next = current.replace(PASTE_MARKER, '');
    if (next === current) return next;
    current = next;
  }
}
