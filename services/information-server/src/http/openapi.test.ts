import SwaggerParser from '@apidevtools/swagger-parser';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../app';
import { openApiDocument } from './openapi';
import { createLogger, createMetricsRegistry } from '@outband/observability';

/** Every (method, path) the app routes, read from express's own router stack. */
function routesOf(app: Express): string[] {
  interface Layer {
    name: string;
    rawPath?: string;
    route?: { path: string; methods: Record<string, boolean> };
    handle: { stack?: Layer[] };
  }
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const routes: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      Object.keys(layer.route.methods).forEach((m) => routes.push(`${m} ${layer.route?.path ?? ''}`));
    }
    for (const inner of layer.name === 'router' ? (layer.handle.stack ?? []) : []) {
      const path = `${layer.rawPath ?? ''}${inner.route?.path === '/' ? '' : (inner.route?.path ?? '')}`;
      Object.keys(inner.route?.methods ?? {}).forEach((m) => routes.push(`${m} ${path}`));
    }
  }
  return routes;
}

// A fresh metrics registry per app: each app registers its own histogram.
const deps = () => ({
  data: {} as AppDeps['data'],
  auth: { authenticate: () => Promise.resolve('m1') } as unknown as AppDeps['auth'],
  logger: createLogger({ service: 'test', level: 'silent' }),
  metrics: createMetricsRegistry('test'),
  readiness: {},
  bodyLimitBytes: 16_384,
  trustProxyHops: 0,
});

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    await expect(SwaggerParser.validate(structuredClone(openApiDocument()) as never)).resolves.toBeDefined();
  });

  it('would refuse a broken document (the check can fail)', async () => {
    await expect(SwaggerParser.validate({ openapi: '3.1.0', paths: { '/x': { get: { responses: 'none' } } } } as never)).rejects.toThrow();
  });

  it('is served at /openapi.json, with a reference page at /docs', async () => {
    const server = createApp(deps()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string };
      expect(doc.openapi).toBe('3.1.0');
      const page = await fetch(`${base}/docs`);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('POST /v1/verifications/{id}/check');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('describes every route the app serves', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path.replace(/\{(\w+)\}/g, ':$1')}`)),
    );
    const served = routesOf(createApp(deps())).filter((r) => r.includes(' /v1/'));
    expect(served.length).toBeGreaterThan(20);
    expect(served.filter((r) => !documented.has(r))).toEqual([]);
  });
});
