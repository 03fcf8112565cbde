// The domain's public API: pure, deterministic, safe inside the workflow bundle.
export * from './names.js';
export * from './provider.js';
export * from './definition.js';
export * from './request.js';
export * from './validate.js';
export * from './dedupe.js';
export * from './chunk.js';
export * from './failures.js';
export * from './classify.js';
export * from './ip.js';
export * from './readiness.js';
export * from './contract.js';
export * from './coordination.js';
export * from './timings.js';
export * from './summaries.js';
export * from './contract-schemas.js';
export * from './endings.js';
