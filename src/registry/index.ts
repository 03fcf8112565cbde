// The provider registry's public API: the providers lbflow drives (providers.ts lists them, one line each) and
// everything the other rooms ask of a provider by its name (identity, group, request schema, error rules).
export * from './providers.js';
export * from './identity.js';
export * from './groups.js';
export * from './schemas.js';
export * from './errors.js';
