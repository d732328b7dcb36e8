import type { Logger } from '../ops/logger.js';

/**
 * Topic → message type. Each part of the engine adds its topics by declaration merging:
 * `declare module '../engine/bus.js' { interface BusTopics { 'feed.packet': FeedPacket } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging in each part
export interface BusTopics {}

export type Topic = keyof BusTopics & string;
export type Handler<T extends Topic> = (message: BusTopics[T]) => void;

/**
 * In-process message bus of the fast path (after NautilusTrader's MessageBus): synchronous,
 * handlers run in subscription order, so every handler sees the same order of events in live and
 * replay. A throwing handler is logged and counted but never stops delivery to the others.
 */
export class MessageBus {
  private readonly handlers = new Map<string, Array<(message: unknown) => void>>();
  private handlerErrors = 0;

  constructor(private readonly logger?: Logger) {}

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void {
    const list = this.handlers.get(topic) ?? [];
    const wrapped = handler as (message: unknown) => void;
    list.push(wrapped);
    this.handlers.set(topic, list);
    return () => {
      const current = this.handlers.get(topic);
      if (!current) return;
      const index = current.indexOf(wrapped);
      if (index >= 0) current.splice(index, 1);
    };
  }

  publish<T extends Topic>(topic: T, message: BusTopics[T]): void {
    const list = this.handlers.get(topic);
    if (!list) return;
    for (const handler of list) {
      try {
        handler(message);
      } catch (error) {
        this.handlerErrors++;
        this.logger?.error({ err: error, topic }, 'bus handler failed');
      }
    }
  }

  hasSubscribers(topic: Topic): boolean {
    return (this.handlers.get(topic)?.length ?? 0) > 0;
  }

  get failedDeliveries(): number {
    return this.handlerErrors;
  }
}
