/** `indexflow/analytics`: streaming indicators, candlestick patterns and order-flow metrics (pure). */
export * from './indicators/index.js';
export * from './orderflow/index.js';
export * from './patterns/index.js';
