// The lbflow workflows: the public request workflow and the one coordinator per server group it hands over to.
export { addServersToServerGroup, progressQuery } from './add-servers.js';
export {
  serverGroupCoordinator,
  coordinatorSignal,
  requestSignal,
  groupQuery,
  type CarriedState,
} from './coordinator/workflow.js';
