import { basename, dirname } from 'node:path';
import { Router, type Response } from 'express';
import type { OpenApiDocument } from './openapi';

/**
 * `/docs`: the API reference a merchant reads, rendered in the browser by Redoc from
 * `/openapi.json`. Redoc's prebuilt bundle is served from node_modules, so the page fetches
 * nothing from anywhere but this server, and its CSP says so.
 */

// Resolved once at start: a missing package fails the start, not the first reader. Sent
// relative to its folder: pnpm's store path holds `.pnpm`, which send() refuses as a dotfile.
const redocBundle = require.resolve('redoc/bundles/redoc.standalone.js');
const redocFolder = dirname(redocBundle);

/**
 * Only this server: scripts and the document come from it, no inline script, no frame, no form.
 * Inline styles stay allowed: Redoc (styled-components) writes its CSS into `<style>` elements.
 * Search is off because Redoc runs it in a blob: worker, which `script-src 'self'` refuses. The
 * one thing Redoc would fetch elsewhere, the Redocly logo at the foot of its menu, is refused.
 */
export const docsContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Redoc's options (https://redocly.com/docs/redoc/config): system fonts, none fetched elsewhere.
const init = `Redoc.init('/openapi.json', ${JSON.stringify({
  disableSearch: true,
  expandResponses: '200,201',
  jsonSampleExpandLevel: 3,
  requiredPropsFirst: true,
  sortRequiredPropsFirst: true,
  hideHostname: true,
  theme: {
    rightPanel: { width: '35%' },
    colors: { primary: { main: '#1f5fbf' } },
    typography: {
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
      code: { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace' },
    },
  },
})}, document.getElementById('reference'));
`;

// Error codes are long words of capitals and underscores: a table cell must not break them.
const css = `.redoc-markdown td:first-child code { white-space: nowrap; }
.redoc-markdown td:first-child { width: 1%; }
`;

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** The page: Redoc renders into `#reference`; without scripts, the list of operations. */
export function docsPage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => `<li><code>${method.toUpperCase()} ${escape(path)}</code> ${escape(op.summary)}</li>`),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Outband merchant API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/assets/docs.css">
</head>
<body>
<div id="reference"></div>
<noscript>
<h1>Outband merchant API</h1>
<p>This reference needs JavaScript. The machine-readable document: <a href="/openapi.json">/openapi.json</a>.</p>
<ul>
${operations.join('\n')}
</ul>
</noscript>
<script src="/docs/assets/redoc.standalone.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>`;
}

function secured(res: Response): Response {
  return res.setHeader('Content-Security-Policy', docsContentSecurityPolicy);
}

/** Mounted at `/docs`: the page and its two scripts; public, like `/openapi.json`. */
export function apiDocsRouter(doc: OpenApiDocument): Router {
  const router = Router();
  const page = docsPage(doc);
  router.get('/', (_req, res) => {
    secured(res).type('html').send(page);
  });
  router.get('/assets/redoc.standalone.js', (_req, res, next) => {
    secured(res).sendFile(basename(redocBundle), { root: redocFolder, maxAge: '1h' }, (err) => {
      if (err) {
        next(err);
      }
    });
  });
  router.get('/assets/init.js', (_req, res) => {
    secured(res).type('text/javascript').send(init);
  });
  router.get('/assets/docs.css', (_req, res) => {
    secured(res).type('text/css').send(css);
  });
  return router;
}
