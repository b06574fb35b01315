import type { IncomingMessage } from 'node:http';

import { BEARER_SUBPROTOCOL_PREFIX, CONSOLE_SUBPROTOCOL } from '../../../common/protocol';

export { BEARER_SUBPROTOCOL_PREFIX, CONSOLE_SUBPROTOCOL };

/** The offered subprotocols, in order. */
function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

/**
 * The console upgrade's credential as an Authorization header value: the
 * header itself when present (the CLI, the desktop main process), else the
 * bearer a browser put in the subprotocol list. A bearer offered without
 * `fleetterm.v1` is refused with a reason: the broker could not answer a
 * protocol the page asked for, and the browser would fail the link without
 * saying why.
 */
export function consoleAuthorization(
  req: IncomingMessage,
): { ok: true; authorization: string | undefined } | { ok: false; reason: string } {
  if (req.headers.authorization !== undefined) return { ok: true, authorization: req.headers.authorization };
  const offered = offeredProtocols(req);
  const bearers = offered.filter((value) => value.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  if (bearers.length === 0) return { ok: true, authorization: undefined };
  if (bearers.length > 1) {
    return { ok: false, reason: `offer one ${BEARER_SUBPROTOCOL_PREFIX}<token> subprotocol, not ${bearers.length}` };
  }
  if (!offered.includes(CONSOLE_SUBPROTOCOL)) {
    return {
      ok: false,
      reason: `a token in the subprotocol list needs ${CONSOLE_SUBPROTOCOL} offered beside it (${CONSOLE_SUBPROTOCOL}, ${BEARER_SUBPROTOCOL_PREFIX}<token>)`,
    };
  }
  return { ok: true, authorization: `Bearer ${bearers[0]!.slice(BEARER_SUBPROTOCOL_PREFIX.length)}` };
}

/**
 * `ws`'s handleProtocols: answer `fleetterm.v1` when offered and nothing
 * otherwise (ws's default, the first offered, could echo a bearer entry).
 */
export function selectConsoleProtocol(protocols: Set<string>): string | false {
  return protocols.has(CONSOLE_SUBPROTOCOL) ? CONSOLE_SUBPROTOCOL : false;
}
