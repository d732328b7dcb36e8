// The package subpath `indexflow/angelone`: the pure WS 2.0 codec (no I/O).
export * from './codec/index.js';
