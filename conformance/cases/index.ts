import type { Case } from '../lib/case.ts';
import { runtimeCases } from './runtime.ts';
import { configCases } from './config.ts';
import { hookCases } from './hooks.ts';
import { linuxCases } from './linux.ts';
import { resourceCases } from './resources.ts';
import { processCases } from './process.ts';
import { namespaceCases } from './namespaces.ts';
import { featureCases } from './features.ts';
import { netDeviceCases } from './net-devices.ts';
import { seccompCases } from './seccomp.ts';

export function allCases(): Case[] {
  const all = [
    ...runtimeCases,
    ...configCases,
    ...processCases,
    ...hookCases,
    ...linuxCases,
    ...seccompCases,
    ...namespaceCases,
    ...netDeviceCases,
    ...resourceCases,
    ...featureCases,
  ];
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    seen.add(c.id);
  }
  return all;
}
