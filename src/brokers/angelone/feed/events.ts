/** What every event on a hub carries: a discriminant. */
export interface TypedEvent {
  readonly type: string;
}

/**
 * A small event hub over a discriminated union. A listener that throws is reported to `onListenerError`
 * and never propagates: the official JS SDK throws from inside its socket handlers, which crashes the
 * process on a 401; a faulty consumer here must not be able to break the socket that emitted the event.
 */
export class EventHub<E extends TypedEvent> {
  private readonly byType = new Map<string, Set<(event: E) => void>>();
  private readonly all = new Set<(event: E) => void>();

  constructor(private readonly onListenerError: (type: string, error: unknown) => void) {}

  /** Listens to one event type; returns the function that removes the listener. */
  on<T extends E['type']>(type: T, listener: (event: Extract<E, { type: T }>) => void): () => void {
    // emit() only hands a listener the events of its own type, so widening its parameter is safe
    const widened = listener as (event: E) => void;
    let set = this.byType.get(type);
    if (set === undefined) {
      set = new Set();
      this.byType.set(type, set);
    }
    set.add(widened);
    return () => {
      set.delete(widened);
    };
  }

  /** Listens to every event; returns the function that removes the listener. */
  onAny(listener: (event: E) => void): () => void {
    this.all.add(listener);
    return () => {
      this.all.delete(listener);
    };
  }

  emit(event: E): void {
    const set = this.byType.get(event.type);
    if (set !== undefined) {
      for (const listener of set) this.call(listener, event);
    }
    for (const listener of this.all) this.call(listener, event);
  }

  clear(): void {
    this.byType.clear();
    this.all.clear();
  }

  private call(listener: (event: E) => void, event: E): void {
    try {
      listener(event);
    } catch (error) {
      try {
        this.onListenerError(event.type, error);
      } catch {
        // the error reporter itself failed; there is nowhere left to report to
      }
    }
  }
}
