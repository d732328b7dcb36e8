import type { Logger } from '../ops/logger.js';

export type ComponentState =
  | 'created'
  | 'starting'
  | 'running'
  | 'degraded'
  | 'stopping'
  | 'stopped'
  | 'failed';

export interface ComponentHealth {
  state: ComponentState;
  /** a short, human-readable reason for degraded/failed states */
  detail?: string;
  /** extra facts shown on /health/ready (counts, timestamps) */
  facts?: Record<string, string | number | boolean>;
}

/** Every long-lived part of the engine shares this lifecycle and reports it to health. */
export interface Component {
  readonly name: string;
  /** readiness depends on critical components only; optional ones may be degraded */
  readonly critical: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): ComponentHealth;
}

export interface ReadinessReport {
  ready: boolean;
  components: Record<string, ComponentHealth & { critical: boolean }>;
}

/** Starts components in order, stops them in reverse, and reports their combined health. */
export class ComponentRegistry {
  private readonly components: Component[] = [];
  private readonly started: Component[] = [];

  constructor(private readonly logger?: Logger) {}

  add(component: Component): void {
    if (this.components.some((c) => c.name === component.name)) {
      throw new Error(`component "${component.name}" registered twice`);
    }
    this.components.push(component);
  }

  async startAll(): Promise<void> {
    for (const component of this.components) {
      this.logger?.debug({ component: component.name }, 'starting');
      await component.start();
      this.started.push(component);
    }
  }

  async stopAll(): Promise<void> {
    for (const component of this.started.splice(0).reverse()) {
      try {
        await component.stop();
      } catch (error) {
        this.logger?.error({ err: error, component: component.name }, 'component failed to stop cleanly');
      }
    }
  }

  readiness(): ReadinessReport {
    const components: ReadinessReport['components'] = {};
    let ready = this.components.length > 0;
    for (const component of this.components) {
      const health = component.health();
      components[component.name] = { ...health, critical: component.critical };
      if (component.critical && health.state !== 'running') ready = false;
    }
    return { ready, components };
  }
}
