type DropListener = (clientCode: string | undefined) => void;

/**
 * Runtime fault switches for the order-status socket. Share one instance with `createOrderFeed` and flip
 * it while the feed runs:
 *
 * - `dropConnections(clientCode?)` — destroys matching sockets at once, without a close frame (what a
 *   crashed gateway or a NAT timeout looks like to the client).
 * - `silencePings(true)` — stops answering both text `ping` and protocol PING frames while the socket
 *   stays open, so client watchdogs (20 s in the SDKs) must notice and reconnect.
 */
export class OrderFeedFaults {
  private pingsSilenced = false;
  private readonly dropListeners = new Set<DropListener>();

  silencePings(on = true): this {
    this.pingsSilenced = on;
    return this;
  }

  answersPings(): boolean {
    return !this.pingsSilenced;
  }

  /** Drops every connection of `clientCode` (all connections when omitted). */
  dropConnections(clientCode?: string): this {
    for (const listener of this.dropListeners) listener(clientCode);
    return this;
  }

  reset(): this {
    this.pingsSilenced = false;
    return this;
  }

  /** For the feed: called on every `dropConnections`; returns the unsubscribe function. */
  onDrop(listener: DropListener): () => void {
    this.dropListeners.add(listener);
    return () => {
      this.dropListeners.delete(listener);
    };
  }
}
