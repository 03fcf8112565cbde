// The worker's version: a build id from the workflow code itself, so that the same code gets the same id wherever it
// was built (the inline source map names the folder) and any change to the code a new one.
import { describe, expect, it } from 'vitest';
import { buildIdOf, versionName, versionOf } from '../../src/worker/deployment.js';

const CODE = 'var __TEMPORAL__ = 1; function addServersToServerGroup() {}\n';
const map = (folder: string) =>
  `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify({ sources: [`${folder}/src/workflows/index.ts`] })).toString('base64')}`;

describe('the worker version', () => {
  it('gives the same code the same build id whatever folder it was bundled in, and changed code another', () => {
    const here = buildIdOf(`${CODE}${map('/work/main')}`);
    expect(here).toMatch(/^wf-[0-9a-f]{16}$/);
    expect(buildIdOf(`${CODE}${map('/app')}`)).toBe(here);
    expect(buildIdOf(CODE)).toBe(here);
    expect(buildIdOf(`${CODE.replace('= 1', '= 2')}${map('/work/main')}`)).not.toBe(here);
  });

  it('takes a build id set by the operator over the derived one, and names a version as the CLI does', () => {
    const settings = { deploymentName: 'lbflow', buildId: undefined, promote: 'if-none' as const };
    expect(versionOf(settings, CODE)).toEqual({ deploymentName: 'lbflow', buildId: buildIdOf(CODE) });
    expect(versionOf({ ...settings, buildId: '0.2.0' }, CODE)).toEqual({ deploymentName: 'lbflow', buildId: '0.2.0' });
    expect(versionName({ deploymentName: 'lbflow', buildId: '0.2.0' })).toBe('lbflow:0.2.0');
  });
});
