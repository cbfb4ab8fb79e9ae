import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishTo, spawnApp, type AppProcess } from './support/apps.js';
import { REPO_ROOT } from './support/standalone.js';

interface Target {
  refId: string;
  expr: string;
  datasource?: { uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
}

/** The metrics the issue asks the dashboard to show. */
const REQUIRED = [
  'ssehub_gateway_connections',
  'ssehub_ingest_events_published_total',
  'ssehub_gateway_frames_delivered_total',
  'ssehub_gateway_publish_to_write_seconds_bucket',
  'ssehub_gateway_slow_consumer_disconnects_total',
  'ssehub_ingest_errors_total',
];

/** Metric names a PromQL expression selects: identifiers that are not functions, label names, ranges or variables. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\{?\w+\}?/g, '');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
  return [...stripped.matchAll(/\b([A-Za-z_:][\w:]*)\b(?!\s*\()/g)].map((match) => match[1]!).filter((name) => !keywords.has(name));
}

/** Every series name an exposition can produce: histograms add _bucket/_sum/_count, summaries _sum/_count. */
function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

const balanced = (expr: string): boolean => {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const char of expr.replace(/"(?:[^"\\]|\\.)*"/g, '')) {
    if ('([{'.includes(char)) stack.push(char);
    else if (char in pairs && stack.pop() !== pairs[char]) return false;
  }
  return stack.length === 0;
};

describe('deploy/grafana/ssehub-dashboard.json', () => {
  let dashboard: Dashboard;
  let queries: { panel: string; expr: string }[];
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    dashboard = JSON.parse(await readFile(join(REPO_ROOT, 'deploy/grafana/ssehub-dashboard.json'), 'utf8')) as Dashboard;
    queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'object' ? variable.query.query : variable.query;
      const metric = /^label_values\(([A-Za-z_:][\w:]*)/.exec(query ?? '')?.[1];
      if (metric) queries.push({ panel: `variable $${variable.name}`, expr: metric });
    }
    // Nothing is public by default: the check's topics are opened for anonymous publishing.
    apps.push(await spawnApp('gateway', {}), await spawnApp('ingest', { ANONYMOUS_PUBLISH_TOPICS: 'metrics/**' }));
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.process.stop()));
  });

  it('is a dashboard whose panels have unique ids, fit the 24-column grid and query the chosen data source', () => {
    expect(dashboard.uid).toBe('ssehub-overview');
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      const refIds = panel.targets!.map((target) => target.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
    }
    expect(dashboard.templating.list.map((variable) => variable.name)).toContain('datasource');
  });

  it('writes every query with balanced brackets and selects at least one metric', () => {
    for (const { panel, expr } of queries) {
      expect(balanced(expr), `${panel}: ${expr}`).toBe(true);
      expect(metricNames(expr).length, `${panel}: ${expr}`).toBeGreaterThan(0);
    }
  });

  it('queries only metrics that the running gateway and ingest expose on /metrics, and all the required ones', async () => {
    // One publish and one refused request, so the apps have done real work before the scrape.
    expect((await publishTo(apps[1]!.url, 'metrics/check', { n: 1 })).status).toBe(201);
    expect((await publishTo(apps[1]!.url, 'bad topic', { n: 2 })).status).toBeGreaterThanOrEqual(400);
    const exposed = new Set<string>();
    for (const app of apps) {
      const response = await fetch(`${app.url}/metrics`);
      expect(response.status).toBe(200);
      for (const name of exposedNames(await response.text())) exposed.add(name);
    }
    const queried = new Set(queries.flatMap(({ expr }) => metricNames(expr)));
    const missing = [...queried].filter((name) => !exposed.has(name));
    expect(missing, 'queried by the dashboard but exposed by no app').toEqual([]);
    expect(REQUIRED.filter((name) => !queried.has(name)), 'required but not on the dashboard').toEqual([]);
  });
});
