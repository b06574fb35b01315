import type { Timers } from '../../../common/client';
import { DisposableStore, toDisposable, type Disposable } from '../../../common/disposable';
import type { ConsoleStore } from '../store/consoleStore';
import { broadcastReceivers, broadcastTargets, type LabelsOf } from '../store/broadcastSlice';
import type { ChannelLike } from '../terminalLike';

/** What a multi-line broadcast paste shows before it is sent. */
export interface PasteQuestion {
  lines: number;
  bytes: number;
  /** Machine names of the receiving panes, in tab order. */
  targets: string[];
  /** The first lines, for the person to recognise what they are about to run everywhere. */
  preview: string;
}

export interface BroadcastRouterDeps {
  store: ConsoleStore;
  /** The session a pane shows while it can take input. */
  channelOf(paneId: string): ChannelLike | undefined;
  labelsOf: LabelsOf;
  /** Sends the same input to all these sessions as one broadcast frame (WorkspaceConnection.broadcast). */
  send(channels: ChannelLike[], data: string | Uint8Array): void;
  /** Asks the person once whether a multi-line paste goes to every target. */
  askPaste(question: PasteQuestion): Promise<boolean>;
  timers: Timers;
}

const PREVIEW_LINES = 5;

/**
 * Routes what is typed in a pane while broadcast is armed: keys, control
 * keys and pastes typed in a receiving pane go to every receiving pane's
 * session as one frame (so the broker fans it out and audits it once).
 * Panes outside the broadcast, and excluded ones, type only into their own
 * session. Disarms after the configured time without broadcast input.
 */
export class BroadcastRouter implements Disposable {
  private readonly subscriptions = new DisposableStore();
  private idleTimer: unknown;

  constructor(private readonly deps: BroadcastRouterDeps) {
    const unsubscribe = deps.store.subscribe((state, previous) => {
      const armed = state.broadcast.scope !== undefined;
      const wasArmed = previous.broadcast.scope !== undefined;
      if (armed && state.broadcast.scope !== previous.broadcast.scope) this.restartIdleTimer();
      if (!armed && wasArmed) this.stopIdleTimer();
      if (state.settings.broadcastIdleMinutes !== previous.settings.broadcastIdleMinutes && armed) {
        this.restartIdleTimer();
      }
      // A tab or chosen panes all closed: nothing is left to broadcast to. (A label scope waits for panes.)
      const scope = state.broadcast.scope;
      if (scope && scope.kind !== 'selector' && state.workspace !== previous.workspace) {
        if (broadcastTargets(state, deps.labelsOf).length === 0) state.disarmBroadcast('its panes were closed');
      }
    });
    this.subscriptions.add(toDisposable(unsubscribe));
    this.subscriptions.add(toDisposable(() => this.stopIdleTimer()));
  }

  /** The panes typing in `paneId` reaches now: itself alone unless it is a receiver of an armed broadcast. */
  receiversFor(paneId: string): string[] {
    const receivers = broadcastReceivers(this.deps.store.getState(), this.deps.labelsOf);
    return receivers.includes(paneId) ? receivers : [paneId];
  }

  /** For TerminalController.routeInput: true when the input was broadcast. */
  routeInput(paneId: string, data: string | Uint8Array): boolean {
    const receivers = this.receiversFor(paneId);
    if (receivers.length < 2) return false;
    const channels = receivers
      .map((id) => this.deps.channelOf(id))
      .filter((channel): channel is ChannelLike => channel !== undefined);
    this.restartIdleTimer();
    // Even when only this pane's session is up, the frame goes the broadcast way, so it is audited as one.
    this.deps.send(channels, data);
    return true;
  }

  /** For TerminalController.confirmPaste: a multi-line paste into several sessions is asked about once. */
  confirmPaste(paneId: string, text: string): boolean | Promise<boolean> {
    const receivers = this.receiversFor(paneId);
    const lines = text.split(/\r\n|\r|\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    if (receivers.length < 2 || lines.length < 2) return true;
    const panes = this.deps.store.getState().workspace.panes;
    return this.deps.askPaste({
      lines: lines.length,
      bytes: new TextEncoder().encode(text).byteLength,
      targets: receivers.map((id) => panes[id]?.machine ?? id),
      preview: lines.slice(0, PREVIEW_LINES).join('\n'),
    });
  }

  dispose(): void {
    this.subscriptions.dispose();
  }

  private restartIdleTimer(): void {
    this.stopIdleTimer();
    const minutes = this.deps.store.getState().settings.broadcastIdleMinutes;
    if (minutes <= 0) return;
    this.idleTimer = this.deps.timers.setTimeout(() => {
      this.idleTimer = undefined;
      this.deps.store
        .getState()
        .disarmBroadcast(`no broadcast input for ${minutes === 1 ? '1 minute' : `${minutes} minutes`}`);
    }, minutes * 60_000);
  }

  private stopIdleTimer(): void {
    if (this.idleTimer !== undefined) this.deps.timers.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
