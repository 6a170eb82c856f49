import SwaggerParser from '@apidevtools/swagger-parser';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../app';
import { errorCodes } from '@outband/errors';
import { openApiDocument, operations } from './openapi';
import { routeExamples } from './openapi-examples';
import { problemCodes } from './openapi-guide';
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
      // Only this server: no script, style or document from anywhere else.
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self';/);
      expect(page.headers.get('content-security-policy')).not.toMatch(/https?:|\*/);
      const bundle = await fetch(`${base}/docs/assets/redoc.standalone.js`);
      expect(bundle.status).toBe(200);
      expect(bundle.headers.get('content-type')).toContain('javascript');
      expect((await bundle.text()).length).toBeGreaterThan(500_000);
      expect(await (await fetch(`${base}/docs/assets/init.js`)).text()).toContain("Redoc.init('/openapi.json'");
      expect((await fetch(`${base}/docs/assets/redoc.lib.js`)).status).toBe(404);
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

  it('carries an example request and answer per route, each valid for the route', () => {
    for (const op of operations) {
      const key = `${op.method} ${op.path}`;
      const example = routeExamples[key];
      expect({ key, example: example !== undefined }).toEqual({ key, example: true });
      if (!example) {
        continue;
      }
      expect({ key, request: example.request !== undefined }).toEqual({ key, request: op.body !== undefined });
      if (op.body) {
        // Parsing strips unknown keys: equal means no field is misspelt or missing.
        expect({ key, request: op.body.parse(example.request) }).toEqual({ key, request: example.request });
      }
      expect({ key, response: op.response.parse(example.response) }).toEqual({ key, response: example.response });
    }
    expect(Object.keys(routeExamples).length).toBe(operations.length);
  });

  it('explains how to sign the merchant JWT', () => {
    const doc = openApiDocument() as unknown as { components: { securitySchemes: { merchantJwt: { description: string } } } };
    const auth = doc.components.securitySchemes.merchantJwt.description;
    for (const part of [
      'HS256',
      '`iss`',
      '`aud`',
      '`exp`',
      '`kid`',
      '`jti`',
      'Authorization: Bearer',
      "from 'jsonwebtoken'",
      'randomUUID()',
    ]) {
      expect(auth).toContain(part);
    }
  });

  it('lists every error code of @outband/errors, and the problem schema names them', () => {
    const doc = openApiDocument() as unknown as {
      info: { description: string };
      components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
    };
    for (const code of Object.keys(errorCodes)) {
      expect(doc.info.description).toContain(`| \`${code}\` |`);
    }
    expect(doc.info.description).toContain('| `TOKEN_EXPIRED` | 401 | The token has expired');
    expect(doc.info.description).toContain('| `DATABASE_BUSY` | 503, retry |');
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual(problemCodes);
    expect(problemCodes).toEqual(expect.arrayContaining(['INVALID_INPUT', 'TOKEN_REPLAYED', 'VERIFICATION_NOT_FOUND']));
    expect(problemCodes).not.toContain('CODE_MISMATCH');
  });
});
