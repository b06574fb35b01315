// The terminal pane: a controller that owns xterm and one session, and the React pane around it.
export { TerminalController, type SessionInfo, type TerminalControllerOptions } from './terminalController';
export { TerminalPane, type TerminalPaneProps } from './TerminalPane';
export { TerminalStatusBar } from './TerminalStatusBar';
export { describeStatus, needsSignIn, type PaneStatus } from './terminalStatus';
export type { ChannelLike, ResumePoint, SessionSource, TerminalSettings, TerminalSize } from './terminalLike';
export { DEFAULT_SCROLLBACK_LINES } from './xtermTerminal';
