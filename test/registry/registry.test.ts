// The provider registry: every room asks it by name, so it must answer for every provider the same way, and the
// two halves of a provider (definition and plug-in) must be listed together.
import { describe, expect, it } from 'vitest';
import { PROVIDER_PLUGINS, pluginOf } from '../../src/providers/index.js';
import {
  coordinatorWorkflowId,
  definitionOf,
  findDefinition,
  groupIdOf,
  groupLabel,
  groupRefOf,
  identityFromKey,
  identityKey,
  identityOf,
  isProvider,
  PROVIDER_DEFINITIONS,
  PROVIDERS,
  serverGroupIdOf,
  validateAddServersRequest,
} from '../../src/registry/index.js';
import { alibaba, huawei } from '../domain/fixtures.js';

const requests = { 'alibaba-gwlb': alibaba(), 'huawei-elb': huawei() } as const;

describe('provider registry (issue 31: each provider one folder, listed once per side)', () => {
  it('lists each provider once, its definition and its plug-in in the same order', () => {
    expect(PROVIDERS).toEqual(PROVIDER_DEFINITIONS.map((d) => d.name));
    expect(PROVIDER_PLUGINS.map((p) => p.definition.name)).toEqual([...PROVIDERS]);
    // A plug-in carries its provider's definition: the very object the workflow side's registry lists.
    PROVIDER_PLUGINS.forEach((plugin, n) => expect(plugin.definition).toBe(PROVIDER_DEFINITIONS[n]));
    expect(new Set(PROVIDERS).size).toBe(PROVIDERS.length);
    for (const provider of PROVIDERS) {
      expect(definitionOf(provider).name).toBe(provider);
      expect(pluginOf(provider).definition.name).toBe(provider);
    }
  });

  it('refuses a name no provider has, where a caller would otherwise fall into another provider', () => {
    expect(isProvider('acme-lb')).toBe(false);
    expect(findDefinition('acme-lb')).toBeUndefined();
    expect(() => definitionOf('acme-lb' as never)).toThrow(/no provider "acme-lb" is registered/);
    expect(() => pluginOf('acme-lb' as never)).toThrow(/unknown provider "acme-lb"/);
    expect(serverGroupIdOf({ provider: 'acme-lb', serverGroupId: 'sgp-x', poolId: 'p' })).toBe('');
    const result = validateAddServersRequest({ ...alibaba(), provider: 'acme-lb' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.message).toContain(`"${PROVIDERS.join('" or "')}"`);
  });

  for (const provider of PROVIDERS) {
    it(`${provider}: its group and identity answered by its own definition`, () => {
      const checked = validateAddServersRequest(requests[provider]);
      if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
      const request = checked.request;
      const group = groupRefOf(request);
      const idField = definitionOf(provider).group.idField;
      const id = (requests[provider] as Record<string, unknown>)[idField];
      expect(groupIdOf(group)).toBe(id);
      expect(serverGroupIdOf(request)).toBe(id);
      expect(coordinatorWorkflowId(group)).toBe(`lbflow-group/${provider}/${request.region}/${String(id)}`);
      expect(groupLabel(group)).toBe(`${provider} ${request.region} ${String(id)}`);
      for (const server of request.servers) {
        const key = identityKey(provider, server);
        // The key names the server, and back: a removal built from the key is the server's identity.
        expect(identityFromKey(provider, key)).toEqual(identityOf(provider, server));
        expect(Object.keys(identityOf(provider, server))).toEqual(definitionOf(provider).identity.fields);
      }
    });
  }
});
