export * from './clock.js';
export * from './errors.js';
export * from './money.js';
export * from './random.js';
export * from './time.js';
export * from './instrument.js';
