/**
 * Known vulnerabilities in what the portal ships: `npm audit --omit=dev` must report no high or critical
 * advisory. When the registry's audit endpoint cannot be reached (an offline CI, a mirror without it), the test
 * says so loudly instead of passing in silence, and fails when REQUIRE_NPM_AUDIT=1. An offline floor check on the
 * lock file keeps the SAML/XML stack at the reviewed versions either way.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/root.js';

/** Advisories reviewed and accepted (package → reason); every entry must be explained in the README. None today. */
const REVIEWED_EXCEPTIONS: Record<string, string> = {};

/**
 * The oldest acceptable version per package and release line: the versions reviewed for the SAML/XML advisories
 * (node-saml CVE-2025-54419, xml-crypto CVE-2025-29774/29775, xmldom GHSA-2v35-w6hq-6mfw and GHSA-6gmq-8vp8-gcm6).
 */
const FLOORS: Record<string, string[]> = {
  '@node-saml/node-saml': ['5.1.0'],
  '@node-saml/passport-saml': ['5.1.0'],
  'xml-crypto': ['6.1.2'],
  '@xmldom/xmldom': ['0.8.15', '0.9.12'],
  nunjucks: ['3.2.4'],
};

type Vulnerability = { name: string; severity: string; via: unknown[]; range?: string };

function compare(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

describe('dependencies', () => {
  it('npm audit --omit=dev reports no high or critical advisory (or says clearly that it could not run)', () => {
    const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 90_000,
    });
    let report:
      | {
          metadata?: { vulnerabilities?: Record<string, number> };
          vulnerabilities?: Record<string, Vulnerability>;
          message?: string;
          error?: { summary?: string };
        }
      | undefined;
    try {
      report = JSON.parse(run.stdout);
    } catch {
      report = undefined;
    }
    mkdirSync(join(PROJECT_ROOT, 'tmp'), { recursive: true });
    const counts = report?.metadata?.vulnerabilities;
    if (counts) {
      const serious = Object.values(report!.vulnerabilities ?? {}).filter(
        (v) => (v.severity === 'high' || v.severity === 'critical') && !(v.name in REVIEWED_EXCEPTIONS),
      );
      const line = `[npm audit] production dependencies: ${Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}`;
      console.log(line);
      writeFileSync(join(PROJECT_ROOT, 'tmp', 'npm-audit.txt'), `${line}\n`);
      expect(serious.map((v) => `${v.name} (${v.severity}) ${v.range ?? ''}`)).toEqual([]);
      return;
    }
    const reason =
      report?.message ??
      report?.error?.summary ??
      run.error?.message ??
      (run.stderr.split('\n').find((l) => /npm (error|warn)/.test(l)) || `exit ${run.status}`);
    const message =
      `[npm audit] COULD NOT RUN — no advisory check was done. The registry's audit endpoint gave no report: ${reason}. ` +
      'Run `npm audit --omit=dev` where registry.npmjs.org is reachable; set REQUIRE_NPM_AUDIT=1 to make this a failure.';
    console.warn(message);
    writeFileSync(join(PROJECT_ROOT, 'tmp', 'npm-audit.txt'), `${message}\n`);
    if (process.env.REQUIRE_NPM_AUDIT === '1') throw new Error(message);
  });

  it('the lock file keeps the SAML and XML packages at or above the reviewed versions (works offline)', () => {
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; dev?: boolean }>;
    };
    const problems: string[] = [];
    const found: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const name = path.replace(/^.*node_modules\//, '');
      const floors = FLOORS[name];
      if (!floors || !entry.version || entry.dev) continue;
      found.push(`${name}@${entry.version}`);
      const line = floors.filter(
        (f) =>
          f.split('.')[0] === entry.version!.split('.')[0] &&
          (f.split('.')[0] !== '0' || f.split('.')[1] === entry.version!.split('.')[1]),
      );
      if (line.length === 0 || compare(entry.version, line[0]) < 0)
        problems.push(`${path}: ${entry.version} is below the reviewed ${floors.join(' / ')}`);
    }
    expect(problems).toEqual([]);
    expect(found.length).toBeGreaterThanOrEqual(Object.keys(FLOORS).length);
  });
});
