import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './errorCodes';
import { MAX_COLS, MAX_ROWS } from './limits';

/**
 * JSON control messages, tagged by `type`. Each link direction has its own
 * union, so a message that is valid in one direction is refused in another.
 *
 *   console → broker: hello, open, attach, resize, ack, close, detach
 *   broker → console: welcome, opened, exit, closed, error
 *   broker → agent:   welcome, open, attach, resize, ack, close, detach, error
 *   agent → broker:   hello, opened, exit, ended, closed, error
 */

const channel = z.number().int().min(1).max(0xffff_ffff);
const offset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const cols = z.number().int().min(1).max(MAX_COLS);
const rows = z.number().int().min(1).max(MAX_ROWS);
const shortText = z.string().min(1).max(256);
const sessionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a session id is 8 to 64 letters, digits, - or _');
const machineName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'a machine name is 1 to 63 letters, digits, . _ or -');
/** POSIX portable user names, plus the `DOMAIN\user` form of Windows. */
const loginUser = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._\\-]{0,63}\$?$/, 'not a valid login user name');
const errorCode = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);
const version = z.object({ major: z.number().int().min(0), minor: z.number().int().min(0) });

/** `shell` is an interactive login shell; `exec` runs one command in a PTY
 *  (stdout and stderr arrive merged, as with `ssh -t`). */
export const SessionMode = z.enum(['shell', 'exec']);
export type SessionMode = z.infer<typeof SessionMode>;

// ---------------------------------------------------------------- shared

export const Hello = z.object({
  type: z.literal('hello'),
  protocol: version,
  role: z.enum(['console', 'agent']),
  /** Free text such as `fleetterm-agent/0.1.0`. */
  software: shortText,
  capabilities: z.array(z.string().max(64)).max(32).default([]),
  /** Agents describe their machine and the sessions they still hold, so a
   *  broker that restarted can route re-attaches to them. */
  agent: z
    .object({
      hostname: shortText,
      os: z.string().max(64),
      arch: z.string().max(32),
      sessions: z
        .array(z.object({ sessionId, operator: shortText, offset }))
        .max(1024)
        .default([]),
    })
    .optional(),
});
export type Hello = z.infer<typeof Hello>;

export const Welcome = z.object({
  type: z.literal('welcome'),
  protocol: version,
  software: shortText,
  /** Milliseconds between the broker's pings; silence for three of them is a dead link. */
  heartbeatMs: z.number().int().positive(),
  /** For agents, the enrolled machine's name; for consoles, the operator's name. */
  identity: shortText,
});
export type Welcome = z.infer<typeof Welcome>;

export const Resize = z.object({ type: z.literal('resize'), channel, cols, rows });
export type Resize = z.infer<typeof Resize>;

/** The receiver has consumed every output byte below `offset`. */
export const Ack = z.object({ type: z.literal('ack'), channel, offset });
export type Ack = z.infer<typeof Ack>;

/** End the session: the agent ends the shell's whole process group. */
export const Close = z.object({ type: z.literal('close'), channel });
export type Close = z.infer<typeof Close>;

/** Release the channel but keep the session for the resume grace period. */
export const Detach = z.object({ type: z.literal('detach'), channel });
export type Detach = z.infer<typeof Detach>;

/** The session's process ended. Sent after its last output byte. */
export const Exit = z.object({
  type: z.literal('exit'),
  channel,
  /** Exit status, or null when a signal ended the process. */
  code: z.number().int().nullable(),
  signal: z.string().max(32).nullable(),
  /** Set when the agent ended the session itself (idle timeout, lifetime). */
  reason: z.object({ code: errorCode, message: z.string().max(1024) }).optional(),
  /** Total output bytes of the session. */
  offset,
});
export type Exit = z.infer<typeof Exit>;

/** The channel is released without an exit: the session was lost or the
 *  path to it broke. `resumable` says whether `attach` may work later. */
export const Closed = z.object({
  type: z.literal('closed'),
  channel,
  code: errorCode,
  message: z.string().max(1024),
  resumable: z.boolean(),
});
export type Closed = z.infer<typeof Closed>;

/** A refused request (with the channel it concerned) or a link-level error. */
export const ErrorMessage = z.object({
  type: z.literal('error'),
  code: errorCode,
  message: z.string().max(1024),
  channel: channel.optional(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/** Bytes a re-attach asked for that the replay buffer no longer held. */
const lost = z.object({ from: offset, to: offset }).optional();

/** Input bytes the agent has received for the session so far; after a
 *  re-attach the console sends again what it sent beyond this. */
const inputOffset = offset.optional();

// ---------------------------------------------------------------- console ↔ broker

export const ConsoleOpen = z.object({
  type: z.literal('open'),
  channel,
  machine: machineName,
  /** Defaults to the agent's default login user. */
  loginUser: loginUser.optional(),
  mode: SessionMode.default('shell'),
  /** The command line for `exec`, run by the login user's shell with -c. */
  command: z.string().min(1).max(8192).optional(),
  cols,
  rows,
  /** For a signed-in person: the one-time terminal token minted for this machine and login user. */
  terminalToken: z.string().min(1).max(200).optional(),
});
export type ConsoleOpen = z.infer<typeof ConsoleOpen>;

export const ConsoleAttach = z.object({ type: z.literal('attach'), channel, sessionId, offset });
export type ConsoleAttach = z.infer<typeof ConsoleAttach>;

export const ConsoleOpened = z.object({
  type: z.literal('opened'),
  channel,
  sessionId,
  machine: machineName,
  loginUser: z.string().max(64),
  /** The offset of the first output byte that follows. */
  offset,
  lost,
  inputOffset,
});
export type ConsoleOpened = z.infer<typeof ConsoleOpened>;

export const ConsoleToBroker = z.discriminatedUnion('type', [
  Hello,
  ConsoleOpen,
  ConsoleAttach,
  Resize,
  Ack,
  Close,
  Detach,
]);
export type ConsoleToBroker = z.infer<typeof ConsoleToBroker>;

export const BrokerToConsole = z.discriminatedUnion('type', [Welcome, ConsoleOpened, Exit, Closed, ErrorMessage]);
export type BrokerToConsole = z.infer<typeof BrokerToConsole>;

// ---------------------------------------------------------------- broker ↔ agent

export const AgentOpen = z.object({
  type: z.literal('open'),
  channel,
  sessionId,
  /** Who asked, for per-operator limits and the shell's environment. */
  operator: shortText,
  loginUser: loginUser.optional(),
  mode: SessionMode,
  command: z.string().min(1).max(8192).optional(),
  cols,
  rows,
});
export type AgentOpen = z.infer<typeof AgentOpen>;

export const AgentAttach = z.object({ type: z.literal('attach'), channel, sessionId, operator: shortText, offset });
export type AgentAttach = z.infer<typeof AgentAttach>;

export const AgentOpened = z.object({
  type: z.literal('opened'),
  channel,
  sessionId,
  loginUser: z.string().max(64),
  offset,
  lost,
  inputOffset,
});
export type AgentOpened = z.infer<typeof AgentOpened>;

/** A detached session (no channel) ended; the agent says so, so the broker
 *  can record its end at once instead of at the agent's next hello. */
export const Ended = z.object({
  type: z.literal('ended'),
  sessionId,
  code: z.number().int().nullable(),
  signal: z.string().max(32).nullable(),
  reason: z.object({ code: errorCode, message: z.string().max(1024) }).optional(),
  offset,
});
export type Ended = z.infer<typeof Ended>;

/** PEM text: a CSR, a certificate or a chain; bounded so a frame stays small. */
const pem = z
  .string()
  .min(1)
  .max(16 * 1024);

/** The agent asks for a new certificate for a new key (at 2/3 of its certificate's lifetime). */
export const Renew = z.object({ type: z.literal('renew'), csr: pem });
export type Renew = z.infer<typeof Renew>;

/** The new certificate (leaf and issuing CA) and the CA roots the agent should trust from now on. */
export const Renewed = z.object({ type: z.literal('renewed'), certificate: pem, caRoots: z.array(pem).min(1).max(4) });
export type Renewed = z.infer<typeof Renewed>;

export const BrokerToAgent = z.discriminatedUnion('type', [
  Welcome,
  AgentOpen,
  AgentAttach,
  Resize,
  Ack,
  Close,
  Detach,
  ErrorMessage,
  Renewed,
]);
export type BrokerToAgent = z.infer<typeof BrokerToAgent>;

export const AgentToBroker = z.discriminatedUnion('type', [
  Hello,
  AgentOpened,
  Exit,
  Ended,
  Closed,
  ErrorMessage,
  Renew,
]);
export type AgentToBroker = z.infer<typeof AgentToBroker>;
