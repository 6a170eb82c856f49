import express, { type Express, type RequestHandler } from 'express';
import type { RateDecision } from '@outband/redis-limits';
import helmet from 'helmet';
import { handleOpsRequest, type Logger, type ReadinessChecks, type Registry } from '@outband/observability';
import type { MerchantAuthenticator } from './auth/merchant-auth';
import { errorHandler, notFound, requireJson } from './http/problem';
import { authenticate, correlation } from './http/request-context';
import { limitRequests } from './http/request-limits';
import { apiDocsRouter } from './merchant-api/docs/api-docs.router';
import { openApiDocument } from './merchant-api/docs/openapi';
import { paymentRouter, settlementRouter, statementRouter } from './merchant-api/payment.router';
import { registeredMessageRouter } from './merchant-api/registered-message.router';
import { sessionRouter } from './merchant-api/session.router';
import { enrolmentRouter } from './merchant-api/enrolment.router';
import { factorRouter } from './merchant-api/factor.router';
import { silentCallbackRouter } from './merchant-api/silent-callback.router';
import { verificationRouter } from './merchant-api/verification.router';
import { webhookRouter } from './merchant-api/webhook.router';
import { adminRouter } from './operator/admin.router';
import type { AuthFailureLimit } from './operator/auth-failure-limiter';
import { operatorAuth } from './operator/operator-auth';
import { opsRouter } from './operator/ops.router';
import { informationServerMetrics } from './platform/metrics';
import type { DataClient } from './rpc/data-client';
import { twilioRouter } from './twilio/twilio.router';

export interface AppDeps {
  data: DataClient;
  auth: MerchantAuthenticator;
  logger: Logger;
  metrics: Registry;
  readiness: ReadinessChecks;
  bodyLimitBytes: number;
  trustProxyHops: number;
  /** Operator tokens of the admin API (`/admin/v1`) and the ops page (`/ops`); none: neither. */
  operatorTokens?: ReadonlyArray<{ name: string; token: string }>;
  /** Failed operator logins per client IP (`/admin/v1`, `/ops`); absent: not limited. */
  operatorAuthFailures?: AuthFailureLimit;
  /** Other services' `/metrics`, shown on the ops page. */
  opsMetricsUrls?: readonly string[];
  /** Replays answers to POSTs that carry an `Idempotency-Key`; absent: the header is ignored. */
  idempotency?: RequestHandler;
  /** Largest body of a registered message (its attachment in base64). @defaultValue 1 MiB */
  registeredBodyLimitBytes?: number;
  /** Counts requests per client IP (before authentication) and per merchant; absent: no limits. */
  requestLimits?: {
    hit: (name: string, key: string, limit: number, windowMs: number, now: Date) => Promise<RateDecision>;
    perIp: number;
    perMerchant: number;
    windowMs: number;
  };
}

// Where a router is mounted: express restores `req.baseUrl` once the router is done, so the
// route label of a finished request is built from this.
const mount: RequestHandler = (req, res, next) => {
  res.locals.mount = req.baseUrl;
  next();
};

/** The merchant-facing HTTP API (patent: information server 103), without listening. */
export function createApp(d: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Security headers on every answer; no CORS headers at all: merchants call from their backends.
  app.use(helmet());
  app.set('trust proxy', d.trustProxyHops);
  const metrics = informationServerMetrics(d.metrics);

  app.use((req, res, next) => {
    // `/metrics` is on the ops port only (OPS_PORT): route names, counts and rates are no one's
    // business on the port merchants reach. Health and readiness stay, for load balancers.
    if (handleOpsRequest(req, res, d.readiness)) {
      return;
    }
    const end = metrics.requestSeconds.startTimer({ method: req.method });
    res.on('finish', () => {
      // The matched route pattern, never the raw path: ids must not become labels.
      const mounted = typeof res.locals.mount === 'string' ? res.locals.mount : '';
      const route = req.route ? `${mounted}${String((req.route as { path: string }).path)}`.replace(/(.)\/$/, '$1') : 'unmatched';
      const seconds = end({ route, status: String(res.statusCode) });
      // The access log: the pattern too (a path can hold an identifier), and the correlation id.
      d.logger.info(
        { correlationId: req.correlationId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) },
        'request',
      );
    });
    next();
  });
  app.use(correlation);
  // The API's description, public like the API's existence: no token needed to read it.
  const doc = openApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  app.use('/docs', mount, apiDocsRouter(doc));
  const limits = d.requestLimits;
  const perIp = limits
    ? limitRequests(
        limits.hit,
        {
          name: 'ip',
          limit: limits.perIp,
          windowMs: limits.windowMs,
          keyOf: (req) => req.ip,
          onRefused: () => metrics.limitRefusals.inc({ limit: 'ip' }),
        },
        d.logger,
      )
    : undefined;
  if (perIp) {
    app.use('/v1', perIp);
  }
  // After authentication: counts the merchant the credentials prove, not the one they claim.
  const perMerchant = limits
    ? [
        limitRequests(
          limits.hit,
          {
            name: 'merchant',
            limit: limits.perMerchant,
            windowMs: limits.windowMs,
            keyOf: (req) => req.merchantId,
            onRefused: () => metrics.limitRefusals.inc({ limit: 'merchant' }),
          },
          d.logger,
        ),
      ]
    : [];
  const authenticated: RequestHandler[] = [authenticate(d.auth), ...perMerchant];
  // Twilio Verify v2 compatible: form-encoded, Basic auth, Twilio's errors (before requireJson).
  app.use('/v2', mount, twilioRouter(d.data, d.logger, { beforeAuth: perIp ? [perIp] : [], afterAuth: perMerchant }));
  app.use(requireJson);
  // Before the general body parser: a registered message may carry an attachment.
  const once = d.idempotency ? [d.idempotency] : [];
  app.use(
    '/v1/registered-messages',
    mount,
    ...authenticated,
    registeredMessageRouter(d.data, d.registeredBodyLimitBytes ?? 1_048_576, once),
  );
  app.use(express.json({ limit: d.bodyLimitBytes, strict: true, type: 'application/json' }));
  authenticated.push(...once);
  app.use('/v1/verifications', mount, ...authenticated, verificationRouter(d.data));
  // The device's browser, back from the operator's network: it carries no merchant token.
  app.use('/silent', mount, ...(perIp ? [perIp] : []), silentCallbackRouter(d.data));
  app.use('/v1/payments', mount, ...authenticated, paymentRouter(d.data));
  app.use('/v1/sessions', mount, ...authenticated, sessionRouter(d.data));
  app.use('/v1/enrolments', mount, ...authenticated, enrolmentRouter(d.data));
  app.use('/v1/factors', mount, ...authenticated, factorRouter(d.data));
  app.use('/v1/webhooks', mount, ...authenticated, webhookRouter(d.data));
  app.use('/v1/subscribers', mount, ...authenticated, statementRouter(d.data));
  app.use('/v1/settlements', mount, ...authenticated, settlementRouter(d.data));
  if (d.operatorTokens && d.operatorTokens.length > 0) {
    const failures = d.operatorAuthFailures ? { failures: d.operatorAuthFailures } : {};
    app.use('/admin/v1', mount, operatorAuth(d.operatorTokens, failures), adminRouter(d.data));
    app.use('/ops', mount, operatorAuth(d.operatorTokens, { basic: true, ...failures }), opsRouter(d.metrics, d.opsMetricsUrls ?? []));
  }
  app.use(notFound);
  app.use(errorHandler(d.logger));
  return app;
}
