import { type HubConnection, HubConnectionBuilder, HubConnectionState, LogLevel } from '@microsoft/signalr';

export type HubStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

type Listener = (payload: unknown) => void;

interface Subscription {
  listeners: Set<Listener>;
  /** why the server refused the channel, if it did */
  error?: string;
  onError: Set<(message: string) => void>;
}

/** Reconnect forever with capped exponential backoff: a phone drops its socket whenever it sleeps. */
const retryDelayMs = (attempt: number) => Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));

/**
 * The market hub (`/hubs/market`) over the official @microsoft/signalr client. Channels are
 * reference-counted here and subscribed again after every reconnect, because on the server a
 * subscription belongs to one connection.
 */
export class MarketHubClient {
  private readonly connection: HubConnection;
  private readonly channels = new Map<string, Subscription>();
  private readonly statusListeners = new Set<(status: HubStatus) => void>();
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private attempts = 0;
  private stopped = false;
  status: HubStatus = 'connecting';

  constructor(accessToken: () => Promise<string | undefined>) {
    this.connection = new HubConnectionBuilder()
      .withUrl('/hubs/market', { accessTokenFactory: async () => (await accessToken()) ?? '' })
      .withAutomaticReconnect({
        nextRetryDelayInMilliseconds: (context) => retryDelayMs(context.previousRetryCount),
      })
      .configureLogging(LogLevel.None)
      .build();
    this.connection.on('update', (channel: string, payload: unknown) => {
      const subscription = this.channels.get(channel);
      if (subscription) for (const listener of subscription.listeners) listener(payload);
    });
    this.connection.onreconnecting(() => this.setStatus('reconnecting'));
    this.connection.onreconnected(() => {
      this.setStatus('connected');
      this.resubscribe();
    });
    // Automatic reconnect gives up when the server refuses (e.g. a restart that lost the session).
    this.connection.onclose(() => this.scheduleStart());
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.connection.stop();
  }

  onStatus(listener: (status: HubStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Listens to `channel`'s `update(channel, payload)` calls until the returned function is called. */
  subscribe(channel: string, listener: Listener, onError?: (message: string) => void): () => void {
    let subscription = this.channels.get(channel);
    if (subscription === undefined) {
      subscription = { listeners: new Set(), onError: new Set() };
      this.channels.set(channel, subscription);
      if (this.connection.state === HubConnectionState.Connected) void this.invoke('subscribe', channel);
    }
    const entry = subscription;
    entry.listeners.add(listener);
    if (onError) {
      entry.onError.add(onError);
      if (entry.error !== undefined) onError(entry.error);
    }
    return () => {
      entry.listeners.delete(listener);
      if (onError) entry.onError.delete(onError);
      if (entry.listeners.size > 0 || this.channels.get(channel) !== entry) return;
      this.channels.delete(channel);
      if (this.connection.state === HubConnectionState.Connected) void this.invoke('unsubscribe', channel);
    };
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connection.state !== HubConnectionState.Disconnected) return;
    this.setStatus(this.attempts === 0 ? 'connecting' : 'reconnecting');
    try {
      await this.connection.start();
    } catch {
      this.scheduleStart();
      return;
    }
    this.attempts = 0;
    this.setStatus('connected');
    this.resubscribe();
  }

  private scheduleStart(): void {
    if (this.stopped) {
      this.setStatus('offline');
      return;
    }
    this.setStatus(this.attempts < 2 ? 'reconnecting' : 'offline');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.connect(), retryDelayMs(this.attempts++));
  }

  private resubscribe(): void {
    for (const channel of this.channels.keys()) void this.invoke('subscribe', channel);
  }

  private async invoke(method: 'subscribe' | 'unsubscribe', channel: string): Promise<void> {
    try {
      await this.connection.invoke(method, channel);
      const subscription = this.channels.get(channel);
      if (subscription) subscription.error = undefined;
    } catch (error) {
      const subscription = this.channels.get(channel);
      const text = error instanceof Error ? error.message : String(error);
      // A dropped connection is not a refusal: the reconnect subscribes again.
      if (method !== 'subscribe' || subscription === undefined || !text.includes('HubException')) return;
      // "… HubException: IF_ERR_HUB_FORBIDDEN: …": show the part after the exception name
      subscription.error = text.replace(/^.*HubException:\s*/, '');
      for (const listener of subscription.onError) listener(subscription.error);
    }
  }

  private setStatus(status: HubStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }
}
