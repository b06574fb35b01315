/**
 * The catalog of error and refusal codes that cross the wire. Codes are
 * stable (clients match on them); messages are for people and say what to do.
 * Each code's default message is used when a sender has nothing more specific.
 */
export const ERROR_CODES = {
  // Malformed traffic. The link survives up to MAX_INVALID_FRAMES of these.
  BAD_FRAME: 'A binary frame could not be decoded; the client and broker may be out of step. Update the client.',
  BAD_MESSAGE: 'A control message was not valid JSON or did not match the protocol schema.',
  FRAME_TOO_LARGE: 'A frame was larger than the protocol allows; split input into smaller writes.',
  UNEXPECTED_MESSAGE: 'This message is not allowed here (wrong direction or before hello).',
  VERSION_UNSUPPORTED: 'The peer speaks another major protocol version; update the older side.',
  // Channels.
  UNKNOWN_CHANNEL: 'No open channel has this id on this link.',
  CHANNEL_IN_USE: 'This channel id is already open on this link; pick another.',
  TOO_MANY_CHANNELS: 'This link has as many channels open as it may; close one first.',
  // Machines and sessions.
  MACHINE_NOT_FOUND: 'No machine has this name; `fleetterm ls` lists them.',
  MACHINE_OFFLINE:
    'The machine is enrolled but its agent is not connected; check that the agent runs and can reach the broker.',
  SESSION_NOT_FOUND: 'The session no longer exists (it ended or its resume grace period passed); open a new one.',
  SESSION_NOT_YOURS: 'The session belongs to another operator.',
  SESSION_TAKEN_OVER: 'The session was attached from another console; this one was detached from it.',
  AGENT_TIMEOUT:
    'The machine’s agent did not answer in time; it may be stuck. Try again, or restart fleetterm-agent there.',
  AGENT_DISCONNECTED: 'The agent disconnected; the session resumes if it returns within the grace period.',
  // Refusals by the agent's own limits and settings.
  REMOTE_SHELL_DISABLED: 'Remote shells are disabled on this machine (remote_shell = false in the agent config).',
  LIMIT_TOTAL_SHELLS: 'The machine runs as many shells as its agent allows (max_shells); close one first.',
  LIMIT_OPERATOR_SHELLS:
    'You run as many shells on this machine as its agent allows per operator (max_shells_per_operator).',
  LOGIN_USER_NOT_ALLOWED: 'The agent does not allow shells as this login user (login_users in the agent config).',
  LOGIN_USER_UNKNOWN: 'No such user on the machine.',
  SPAWN_FAILED: 'The agent could not start the shell.',
  // Session endings.
  IDLE_TIMEOUT: 'The session was closed after being idle for the configured time (idle_timeout).',
  MAX_LIFETIME: 'The session reached its maximum lifetime (max_session_lifetime).',
  RESUME_EXPIRED: 'Nobody re-attached to the session within the resume grace period.',
  AGENT_SHUTDOWN: 'The agent is shutting down.',
  MACHINE_REVOKED:
    'The machine was revoked by an admin; its sessions ended and its agent may not connect again. Enrol it anew to bring it back.',
  // Enrolment (HTTP).
  ENROLL_TOKEN_UNKNOWN:
    'The enrolment token is not known to this broker; create one with `fleetterm-broker enroll-token create`.',
  ENROLL_TOKEN_USED: 'The enrolment token was already used; each token enrols one machine. Create a new one.',
  ENROLL_TOKEN_EXPIRED: 'The enrolment token has expired; create a new one (see --ttl).',
  MACHINE_NAME_TAKEN: 'Another machine already has this name; revoke it or choose another name.',
  ENROLL_NAME_MISMATCH:
    'The enrolment token was created for another machine name; use the token made for this name, or drop --name.',
  // Certificates (enrolment and renewal).
  BAD_CSR: 'The certificate signing request is not valid; send the one fleetterm-agent generated, unchanged.',
  RENEWAL_REFUSED: 'The broker would not renew this certificate (the machine was revoked, or its CA retired).',
  // Accounts (HTTP): invitations, passkeys, sign-in sessions.
  INVITE_UNKNOWN: 'The registration link is not known to this broker; ask an admin for a new one.',
  INVITE_USED: 'The registration link was already used; each link registers one person. Ask an admin for a new one.',
  INVITE_EXPIRED: 'The registration link has expired; ask an admin for a new one.',
  USER_NAME_TAKEN: 'Someone already has this user name; choose another.',
  CHALLENGE_UNKNOWN: 'The passkey request is unknown or was already used; start again.',
  CHALLENGE_EXPIRED: 'The passkey request expired (requests last 2 minutes); start again.',
  PASSKEY_UNKNOWN: 'This passkey is not registered with this broker; use another one.',
  PASSKEY_NOT_YOURS: 'This passkey belongs to another user; confirm with one of your own.',
  USER_VERIFICATION_REQUIRED: 'Your authenticator did not verify you (PIN, fingerprint or face); set one up and retry.',
  PASSKEY_INVALID: 'The passkey response was refused; the message says which part.',
  PASSKEY_COUNTER: 'The passkey’s signature counter went backwards (a cloned key?); tell an admin.',
  PASSKEY_EXISTS: 'This passkey is already registered.',
  PASSKEY_NOT_DISCOVERABLE: 'The authenticator made a passkey that cannot sign in without a user name.',
  PASSKEY_NAME_INVALID: 'Name the passkey with 1 to 64 printable characters.',
  PASSKEY_LAST: 'This is your only way to sign in; add another before removing it.',
  NO_PASSKEYS: 'You have no passkey to confirm with; use your authenticator app code.',
  SESSION_UNKNOWN: 'The sign-in is not known to this broker; sign in again.',
  SESSION_EXPIRED: 'The sign-in has expired; refresh it, or sign in again.',
  SESSION_REVOKED: 'The sign-in was ended (signed out, revoked by an admin, or the account was disabled).',
  REFRESH_REUSED: 'A refresh secret was used twice, so someone may hold a copy; the sign-in was ended. Sign in again.',
  TOTP_NOT_ENROLLED: 'No authenticator app is set up for this account; use a passkey, or set one up.',
  TOTP_ALREADY_ENROLLED: 'An authenticator app is already set up for this account.',
  TOTP_INVALID: 'The code does not match; check the clock of the device that shows it.',
  TOTP_REPLAYED: 'That code was already used; wait for the next one.',
  TOTP_LOCKED: 'Too many wrong codes; codes are refused for a while. Use a passkey or a recovery code.',
  TOTP_UNREADABLE: 'The stored authenticator secret cannot be read; set the app up again.',
  RECOVERY_CODE_INVALID: 'The recovery code is unknown or was already used.',
  STEP_UP_REQUIRED: 'Confirm it is you with your passkey first; opening a terminal needs a recent check.',
  TERMINAL_TOKEN_REQUIRED: 'Opening a terminal needs a one-time terminal token; confirm with your passkey first.',
  TERMINAL_TOKEN_INVALID: 'The terminal token is unknown, used, expired or for another open; ask for a new one.',
  // Access.
  UNAUTHORIZED: 'The token is missing, unknown, expired or revoked.',
  FORBIDDEN: 'Your role does not allow this.',
  POLICY_DENIED: 'No access policy lets you open this shell; the message names the policies that apply to you.',
  BAD_REQUEST: 'The request was malformed; the message says which field.',
  NOT_FOUND: 'No such endpoint.',
  RATE_LIMITED: 'Too many requests; wait a moment and retry.',
  INTERNAL: 'The broker hit an unexpected error; it was logged.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

export function defaultMessage(code: ErrorCode): string {
  return ERROR_CODES[code];
}

/** Refusals after which retrying the same request cannot succeed. */
export function isPermanentRefusal(code: ErrorCode): boolean {
  return code !== 'MACHINE_OFFLINE' && code !== 'AGENT_DISCONNECTED' && code !== 'AGENT_TIMEOUT' && code !== 'INTERNAL';
}
