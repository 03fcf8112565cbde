import { inject } from 'vitest';
import { executableOption } from '../../scripts/temporal-servers.mjs';

/** `server.executable` for `TestWorkflowEnvironment.createTimeSkipping`, from the provisioned binary. */
export const testServerExecutable = () => executableOption(inject('temporalTestServer'));

/** `server.executable` for `TestWorkflowEnvironment.createLocal`, from the provisioned Temporal CLI. */
export const devServerExecutable = () => executableOption(inject('temporalCli'));
