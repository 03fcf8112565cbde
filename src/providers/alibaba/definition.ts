// Alibaba Cloud GWLB as lbflow knows it, workflow-safe: listed in src/registry, read by every other room.
import type { ProviderDefinition } from '../../domain/index.js';

export const alibabaGwlb = {
  name: 'alibaba-gwlb',
  readiness: {
    available: ['Available'],
    // A member on its way out is not "registered" even though it is still listed.
    leaving: ['Removing', 'Draining'],
    // A GWLB group is `Configuring` after every change and refuses the next until it is `Available` again.
    backToBack: false,
  },
} as const satisfies ProviderDefinition<'alibaba-gwlb'>;
