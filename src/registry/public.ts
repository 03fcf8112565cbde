// The package's `lbflow/domain` entry: the domain's rules and types with every provider registered (their names
// and shapes, which the domain's types look up), and what is asked of a provider by its name. A service that
// imports only this entry gets the same types as the workers.
export * from '../domain/index.js';
export * from './index.js';
