/**
 * Protocol limits. Brokers and agents may lower the configurable ones; none
 * may be raised past these values, which every peer assumes.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/** Largest payload of one data frame. Writers split larger input; the agent
 *  coalesces output up to COALESCE_MAX_BYTES, well below this. */
export const MAX_DATA_PAYLOAD_BYTES = 256 * KiB;

/** Largest WebSocket message accepted (`ws` maxPayload): a data frame with a
 *  full broadcast header fits, anything larger is closed with 1009. */
export const MAX_FRAME_BYTES = MAX_DATA_PAYLOAD_BYTES + 64 * KiB;

/** Largest JSON control message, in UTF-16 code units of its text. */
export const MAX_CONTROL_MESSAGE_CHARS = 16 * KiB;

/** Channels a console link may hold open at once. */
export const MAX_CHANNELS_PER_LINK = 256;

/** Channels one broadcast frame may name (as many as a link may hold). */
export const MAX_BROADCAST_TARGETS = MAX_CHANNELS_PER_LINK;

/**
 * Flow control. The agent pauses a PTY when output sent but not yet
 * acknowledged passes the high watermark and resumes below the low one.
 * Measured on a 2-core machine behind one broker hop: 100 KiB (VS Code's
 * value, with no hop) halved throughput, 8 MiB made Ctrl-C during a flood
 * take 0.7 s; 1 MiB / 256 KiB kept both.
 */
export const FLOW_HIGH_WATERMARK_BYTES = 1 * MiB;
export const FLOW_LOW_WATERMARK_BYTES = 256 * KiB;

/** Consumers acknowledge in batches of at least this many bytes (or when
 *  they fall idle), so acks cost a small fraction of the data. */
export const ACK_BATCH_BYTES = 64 * KiB;

/**
 * Output is coalesced only while it floods: the first chunk after a quiet
 * moment leaves at once, later chunks leave at once too while the window has
 * carried little (the agent's INTERACTIVE_WINDOW_BYTES: typing), and past
 * that they wait at most this long; a frame never grows past
 * COALESCE_MAX_BYTES. A fixed timer on every chunk doubled echo latency in
 * measurements.
 */
export const COALESCE_WINDOW_MS = 5;
export const COALESCE_MAX_BYTES = 64 * KiB;

/** Per-session replay buffer kept by the agent for resume. It must exceed
 *  the high watermark, so every unacknowledged byte can be replayed. */
export const DEFAULT_REPLAY_BUFFER_BYTES = 2 * MiB;

/** How long a session outlives its operator's link, waiting to be re-attached. */
export const DEFAULT_RESUME_GRACE_MS = 5 * 60_000;

/** The broker pings every link this often; a link silent for
 *  HEARTBEAT_TIMEOUT_MS is terminated. A dead peer is noticed within 45 s. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
export const HEARTBEAT_TIMEOUT_MS = 45_000;

/** A link that has not said hello within this time is closed (4001). */
export const HELLO_TIMEOUT_MS = 10_000;

/** Invalid frames tolerated on one link (each answered with an error)
 *  before the link is closed with 4000. */
export const MAX_INVALID_FRAMES = 10;

/** Terminal size bounds accepted in open and resize. */
export const MAX_COLS = 2000;
export const MAX_ROWS = 1000;

/** Output a broker holds for one console link before it drops the link as a
 *  slow consumer (4005). Flow control bounds each session's share to the
 *  high watermark, so only a stalled socket reaches this. */
export const MAX_CONSOLE_BUFFERED_BYTES = 32 * MiB;
