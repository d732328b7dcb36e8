import { describe, expect, it } from 'vitest';
import { parseSignalConfig, SignalConfigHolder } from './config.js';

describe('signal config', () => {
  it('fills every default from an empty object', () => {
    const r = parseSignalConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.composite.threshold).toBe(0.3);
    expect(r.config.picker.deltaMin).toBe(0.35);
    expect(r.config.strategies.trend.weights.ema, 'nested defaults apply').toBe(0.4);
    expect(r.config.strategies.meanReversion.oversold).toBe(30);
  });

  it.each([
    [{ composite: { threshold: 1.5 } }, 'composite.threshold'],
    [{ strategies: { trend: { weights: { ema: -1 } } } }, 'strategies.trend.weights.ema'],
    [{ picker: { deltaMin: 0.6, deltaMax: 0.4 } }, 'picker.deltaMin'],
    [{ strategies: { meanReversion: { rsii: 'x' } } }, 'strategies.meanReversion.rsii'],
  ])('refuses %j with IF_ERR_SIGNAL_CONFIG naming %s', (raw, key) => {
    const r = parseSignalConfig(raw);
    expect(r.ok, 'bad config is refused').toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('IF_ERR_SIGNAL_CONFIG');
    expect(r.error.params.key, 'the key is named').toBe(key);
  });

  it('hot reload: a bad update is refused and the old config stays in force', () => {
    const first = parseSignalConfig({ composite: { threshold: 0.4 } });
    if (!first.ok) throw first.error;
    const holder = new SignalConfigHolder(first.config);
    const bad = holder.update({ composite: { threshold: 'high' } });
    expect(bad.ok).toBe(false);
    expect(holder.current.composite.threshold, 'old config kept').toBe(0.4);
    const good = holder.update({ composite: { threshold: 0.5 } });
    expect(good.ok).toBe(true);
    expect(holder.current.composite.threshold, 'good config applied').toBe(0.5);
  });
});
