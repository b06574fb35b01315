export {
  ConsoleLink,
  type ConsoleLinkOptions,
  type LinkState,
  type OpenRequest,
  type ProtocolProblem,
} from './consoleLink';
export {
  TerminalChannel,
  MAX_PENDING_INPUT_BYTES,
  type ChannelStatus,
  type ClosedEvent,
  type ExitEvent,
  type LostEvent,
} from './terminalChannel';
export { ProtocolRefusal, LinkClosedError } from './errors';
export { AUTH_FAILED_CLOSE_CODE, SocketState, type SocketFactory, type WebSocketLike } from './webSocketLike';
export { systemTimers, type Timers } from './timers';
