// Loaded once per worker into the workflow sandbox, before any workflow (the SDK's `preloadModules`, see
// workflowBundlerOptions in src/worker/worker.ts). What it loads is shared by every workflow the worker runs instead
// of being evaluated again per workflow: the domain, zod, and the schemas built here. Building the schemas was most of
// a request workflow's CPU (about 8 of 18 ms for a rejected request) and much of its memory.
//
// Only stateless modules belong here, as they are shared across workflows. Once this module has run, the SDK freezes
// what every shared module exports, and zod can no longer build a schema (it writes its default locale into its
// frozen config on the first build): so the schemas are built now, and kept in closures, not exports, because zod
// memoises into a schema on its first parse. The workflow tests fail with "object is not extensible" without this.
import { coordinationSchemas, requestSchemas } from '../registry/index.js';

requestSchemas();
coordinationSchemas();
