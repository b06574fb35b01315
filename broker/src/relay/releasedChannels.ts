/**
 * Channels a link released recently, with the session each carried. Frames
 * already in flight when a channel is released (input typed while the exit
 * travels, output sent before a detach arrived) are dropped quietly instead
 * of counting as invalid; an `exit` that crossed a `detach` still ends its
 * session. Bounded: a link that churns through channels forgets the oldest.
 */
export class ReleasedChannels {
  /** Made at the first release: most agent links sit idle and never release a channel. */
  private sessions: Map<number, string> | undefined;

  constructor(private readonly capacity = 256) {}

  add(channel: number, sessionId: string): void {
    const sessions = (this.sessions ??= new Map());
    sessions.delete(channel);
    sessions.set(channel, sessionId);
    if (sessions.size > this.capacity) {
      const oldest = sessions.keys().next().value;
      if (oldest !== undefined) sessions.delete(oldest);
    }
  }

  /** The session a recently released channel carried, if remembered. */
  sessionOf(channel: number): string | undefined {
    return this.sessions?.get(channel);
  }

  has(channel: number): boolean {
    return this.sessions?.has(channel) ?? false;
  }

  delete(channel: number): void {
    this.sessions?.delete(channel);
  }
}
