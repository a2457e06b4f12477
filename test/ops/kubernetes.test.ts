import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig, settingNames } from '../../src/config.js';
import { PROJECT_ROOT } from '../../src/root.js';
import { SHUTDOWN_DRAIN_MS } from '../../src/startup.js';

const BASE = join(PROJECT_ROOT, 'deploy', 'kubernetes');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = Record<string, any>;

function kubectlInstalled(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The base as a cluster would get it: rendered by `kubectl kustomize` where kubectl is installed; elsewhere the
 * files kustomization.yaml lists, read as YAML (the base uses no transformer that changes what is checked here).
 */
function render(): Manifest[] {
  if (kubectlInstalled()) {
    const text = execFileSync('kubectl', ['kustomize', BASE], { encoding: 'utf8' });
    return parseAllDocuments(text).map((d) => d.toJS() as Manifest);
  }
  const kustomization = parse(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(BASE, file), 'utf8')).map((d) => d.toJS() as Manifest),
  );
}

const manifests = render();
const one = (kind: string, component?: string) => {
  const found = manifests.filter(
    (m) => m.kind === kind && (!component || m.metadata.labels?.['app.kubernetes.io/component'] === component),
  );
  expect(found, `${kind} ${component ?? ''}`).toHaveLength(1);
  return found[0];
};

/** A value of the right shape for every secret setting, as an overlay would supply it. */
const SECRET_SAMPLES: Record<string, string> = {
  DATABASE_URL: 'postgres://wse:secret@db.example.be:5432/wse_loket',
  SMTP_URL: 'smtp://mail.example.be:25',
};

describe('deploy/kubernetes', () => {
  it('has the Deployment, Service, migration Job, PodDisruptionBudget, autoscaler, ConfigMap and Secret', () => {
    const kinds = manifests.map((m) => m.kind).sort();
    expect(kinds).toEqual(
      ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'PodDisruptionBudget', 'Secret', 'Service'].sort(),
    );
  });

  it('passes only settings the portal knows, and every setting production requires', () => {
    const configMap = one('ConfigMap').data as Record<string, string>;
    const secret = one('Secret').stringData as Record<string, string>;
    const job = one('Job').spec.template.spec.containers[0];
    const passed = [...Object.keys(configMap), ...Object.keys(secret), ...job.env.map((e: { name: string }) => e.name)];
    expect(passed.filter((name) => !(settingNames as string[]).includes(name))).toEqual([]);

    // The ConfigMap's values plus a value for every Secret key make a production configuration loadConfig accepts.
    const secretValues = Object.fromEntries(Object.keys(secret).map((k) => [k, SECRET_SAMPLES[k] ?? 'x'.repeat(48)]));
    const config = loadConfig({ ...configMap, ...secretValues });
    expect(config.isProduction).toBe(true);
    // …and each of those settings is needed: without it production refuses to start.
    for (const key of ['DATABASE_URL', 'SESSION_SECRET', 'SMTP_URL', 'SAML_SP_KEY', 'PUBLIC_URL']) {
      const { [key]: _dropped, ...rest } = { ...configMap, ...secretValues };
      expect(() => loadConfig(rest), key).toThrow(key);
    }
  });

  it('runs the pods and the Job from those settings', () => {
    const pod = one('Deployment').spec.template.spec;
    expect(pod.containers[0].envFrom).toEqual([
      { configMapRef: { name: one('ConfigMap').metadata.name } },
      { secretRef: { name: one('Secret').metadata.name } },
    ]);
    const job = one('Job').spec.template.spec.containers[0];
    expect(job.command).toEqual(['node', 'dist/src/db/migrate-cli.js']);
    const url = job.env.find((e: { name: string }) => e.name === 'DATABASE_URL');
    expect(url.valueFrom.secretKeyRef).toEqual({ name: one('Secret').metadata.name, key: 'DATABASE_URL' });
  });

  it('runs two non-root replicas on a read-only root file system, probed on /healthz and /readyz', () => {
    const deployment = one('Deployment');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toEqual(expect.any(String));
  });

  it('gives a stopping pod more time than its pause and its request drain', () => {
    const pod = one('Deployment').spec.template.spec;
    const pause = Number(pod.containers[0].lifecycle.preStop.exec.command[1]);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(pause + SHUTDOWN_DRAIN_MS / 1000);
  });

  it('keeps a pod up through voluntary disruptions and scales between two and more', () => {
    const selector = one('Deployment').spec.selector.matchLabels;
    expect(one('PodDisruptionBudget').spec).toEqual({ minAvailable: 1, selector: { matchLabels: selector } });
    expect(one('Service').spec.selector).toEqual(selector);
    const hpa = one('HorizontalPodAutoscaler').spec;
    expect(hpa.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: one('Deployment').metadata.name,
    });
    expect(hpa.minReplicas).toBe(2);
    expect(hpa.maxReplicas).toBeGreaterThan(2);
  });
});
