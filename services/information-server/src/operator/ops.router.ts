import { Router } from 'express';
import type { Registry } from '@outband/observability';
import { opsPage, opsScript } from './ops-page';

/** One series of a scrape: what the ops page draws. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// What the page shows: queues, throughput counters and binds; nothing else leaves the server.
const shown =
  /^outband_(queue_|smpp_|verifications_started_total|submits_total|receipts_total|delivery_outcomes_total|send_refusals_total|number_checks_total|network_api_duration_seconds_(count|sum))/;

/**
 * `/ops`: live queue depths, rates and bind states for an operator without Grafana. The page
 * polls `/ops/data`, which reads this server's metrics and those of `metricsUrls` (the data
 * and message servers' `/metrics`).
 */
export function opsRouter(registry: Registry, metricsUrls: readonly string[]): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.type('html').send(opsPage);
  });
  router.get('/app.js', (_req, res) => {
    res.type('application/javascript').send(opsScript);
  });
  router.get('/data', async (_req, res) => {
    const texts = await Promise.all([
      registry.metrics(),
      ...metricsUrls.map((url) =>
        fetch(url, { signal: AbortSignal.timeout(3000) })
          .then((r) => (r.ok ? r.text() : ''))
          .catch(() => ''),
      ),
    ]);
    const series = texts.flatMap(parsePrometheusText).filter((s) => shown.test(s.name));
    res.setHeader('cache-control', 'no-store');
    res.json({ at: new Date().toISOString(), sources: metricsUrls.length + 1, series });
  });
  return router;
}

/** The samples of a Prometheus text exposition (comments skipped). */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m?.[1] || m[3] === undefined) {
      continue;
    }
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\(.)/g, '$1');
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}
