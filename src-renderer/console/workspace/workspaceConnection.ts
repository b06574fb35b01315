import { ConsoleLink, TerminalChannel, type ProtocolProblem } from '../../../common/client';
import type { Disposable } from '../../../common/disposable';
import type { Listener } from '../../../common/client/emitter';
import { checkCredentialOverHttp, consoleSocketUrl, createBrowserSocketFactory } from '../browserSocket';
import type { ChannelLike, SessionSource } from '../terminalLike';

export interface WorkspaceConnectionOptions {
  /** The broker's origin, e.g. `https://broker.example:7420` (the page's own in the web console). */
  brokerOrigin: string;
  /** The current access token, read at every connection. */
  accessToken: () => string;
  /**
   * A one-time terminal token for `machine`, asking for a step-up first when
   * the broker wants one; rejects with a coded error the pane shows.
   */
  mintTerminalToken: (machine: string) => Promise<string>;
  software?: string;
}

/**
 * The workspace's one console link to its broker: every pane's session is
 * a channel on it, so a broadcast reaches all of them in one frame. Hands
 * each pane a SessionSource for its machine.
 */
export class WorkspaceConnection implements Disposable {
  readonly link: ConsoleLink;

  constructor(private readonly options: WorkspaceConnectionOptions) {
    this.link = new ConsoleLink({
      socketFactory: createBrowserSocketFactory({
        url: consoleSocketUrl(options.brokerOrigin),
        token: options.accessToken,
        checkCredential: (token) => checkCredentialOverHttp(options.brokerOrigin, token),
      }),
      software: options.software ?? 'fleetterm-console/0.1',
    });
  }

  /** When the link tries again, while it is down. */
  get nextReconnectAt(): number | undefined {
    return this.link.nextReconnectAt;
  }

  /** Opens new sessions on `machine` with a terminal token, and takes kept ones up. */
  sourceFor(machine: string): SessionSource {
    return {
      // A refused token rejects with the broker's coded error, which the pane shows as is.
      open: async (size) => {
        const terminalToken = await this.options.mintTerminalToken(machine);
        return this.link.open({ machine, mode: 'shell', ...size, terminalToken });
      },
      attach: (sessionId, offset) => this.link.attach(sessionId, offset),
    };
  }

  /** One broadcast frame to these sessions (channels of this link; others are ignored). */
  broadcast(channels: ChannelLike[], data: string | Uint8Array): void {
    const own = channels.filter((channel): channel is TerminalChannel => channel instanceof TerminalChannel);
    this.link.broadcast(own, data);
  }

  /** Errors the broker reports on the link as a whole, such as a broadcast that needs a step-up. */
  onProblem(listener: Listener<ProtocolProblem>): Disposable {
    return this.link.onProtocolError(listener);
  }

  dispose(): void {
    this.link.dispose();
  }
}
