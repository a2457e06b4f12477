import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** A V8 .cpuprofile (node --cpu-prof): a call tree, and a sample (node id) per tick with the time since the previous one. */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  /** CLOCK_MONOTONIC microseconds, the same clock as process.hrtime in any process on the machine. */
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  where: string;
  area: string;
  ms: number;
  percent: number;
}

export interface ProfileSlice {
  totalMs: number;
  functions: SelfTime[];
  areas: { area: string; percent: number }[];
}

export function loadProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

function areaOf(frame: CallFrame, projectRoot: string): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith(projectRoot)) return 'project code';
  if (frame.functionName.startsWith('(')) return frame.functionName; // (idle), (garbage collector), (program)
  return 'node core / native';
}

/**
 * Self time per function (summed over its call sites) and per area (package, project code, node core,
 * idle, GC), optionally only for samples inside `windowsUs` (e.g. one figure's measured rounds).
 */
export function sliceProfile(profile: CpuProfile, projectRoot: string, windowsUs?: [number, number][]): ProfileSlice {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fnTotals = new Map<string, { name: string; where: string; area: string; us: number }>();
  const areaTotals = new Map<string, number>();
  let totalUs = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const dt = Math.max(0, profile.timeDeltas[i + 1] ?? 0); // the time until the next sample belongs to this one
    if (windowsUs && !windowsUs.some(([from, to]) => t >= from && t <= to)) continue;
    const frame = byId.get(profile.samples[i])!.callFrame;
    const file = frame.url.replace(/^file:\/\//, '');
    const where = file
      ? `${file.startsWith(projectRoot) ? relative(projectRoot, file) : file}:${frame.lineNumber + 1}`
      : '';
    const name = frame.functionName || '(anonymous)';
    const area = areaOf(frame, projectRoot);
    const key = `${name}@${where}`;
    const entry = fnTotals.get(key) ?? { name, where, area, us: 0 };
    entry.us += dt;
    fnTotals.set(key, entry);
    areaTotals.set(area, (areaTotals.get(area) ?? 0) + dt);
    totalUs += dt;
  }
  const functions = [...fnTotals.values()]
    .sort((a, b) => b.us - a.us)
    .map((e) => ({
      name: e.name,
      where: e.where,
      area: e.area,
      ms: e.us / 1000,
      percent: totalUs ? (100 * e.us) / totalUs : 0,
    }));
  const areas = [...areaTotals]
    .map(([area, us]) => ({ area, percent: totalUs ? (100 * us) / totalUs : 0 }))
    .sort((a, b) => b.percent - a.percent);
  return { totalMs: totalUs / 1000, functions, areas };
}
