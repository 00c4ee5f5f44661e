// The two report forms: JSON for machines (one object per requirement) and
// markdown to read against the spec.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Case, Result } from './case.ts';

export interface RunInfo {
  runtime: string;
  runtimeArgs: string[];
  version: string;
  date: string;
  machine: string;
  cgroups: string;
  durationS: number;
  ociVersion: string;
}

export function writeReports(file: string, info: RunInfo, cases: Case[], results: Result[]): void {
  const base = file.replace(/\.(md|json)$/, '');
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, markdown(info, cases, results));
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function markdown(info: RunInfo, cases: Case[], results: Result[]): string {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const count = (st: Result['status']): number => results.filter((r) => r.status === st).length;
  const lines: string[] = [];
  lines.push(`# Conformance report: ${info.runtime}`, '');
  lines.push(`- runtime: \`${info.runtime}${info.runtimeArgs.length ? ` ${info.runtimeArgs.join(' ')}` : ''}\``);
  lines.push(`- version: ${info.version.replace(/\n/g, '; ')}`);
  lines.push(`- date: ${info.date}`);
  lines.push(`- machine: ${info.machine}`);
  lines.push(`- cgroups: ${info.cgroups}`);
  lines.push(`- config.json ociVersion: ${info.ociVersion}`);
  lines.push(`- duration: ${info.durationS.toFixed(0)} s`);
  lines.push(`- result: **${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped** of ${results.length} requirements`, '');
  lines.push('Spec text is runtime-spec v1.2; section links point at the v1.2.0 tag.', '');
  for (const spec of ['runtime.md', 'config.md', 'config-linux.md', 'features.md'] as const) {
    const rs = results.filter((r) => r.spec === spec);
    if (!rs.length) continue;
    lines.push(`## ${spec}`, '');
    lines.push('| id | section | level | requirement | status | detail |', '|---|---|---|---|---|---|');
    for (const r of rs) {
      const c = byId.get(r.id);
      const link = `[${r.section}](https://github.com/opencontainers/runtime-spec/blob/v1.2.0/${spec}#${r.section})`;
      const mark = r.status === 'pass' ? 'pass' : r.status === 'fail' ? '**FAIL**' : 'skip';
      lines.push(`| ${r.id} | ${link} | ${c?.level ?? ''} | ${esc(r.requirement)} | ${mark} | ${esc(r.detail)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export function machineLine(): string {
  return `${os.hostname()} — ${os.type()} ${os.release()} ${os.arch()}, ${os.cpus().length} CPUs, ${readOsName()}`;
}

function readOsName(): string {
  try {
    const m = /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'unknown OS';
  } catch {
    return 'unknown OS';
  }
}
