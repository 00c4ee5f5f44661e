import type { Case } from '../lib/case.ts';
import { runtimeCases } from './runtime.ts';
import { configCases } from './config.ts';

export function allCases(): Case[] {
  const all = [...runtimeCases, ...configCases];
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    seen.add(c.id);
  }
  return all;
}
