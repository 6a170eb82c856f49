import { createHash, createHmac, randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';
import {
  seal,
  unseal,
  type SealKey,
  type WebhookActionResult,
  type WebhookEndpointView,
  type WebhookEventDraft,
  type WebhookRegisterV1,
} from '@outband/contracts';
import type { Knex } from '@outband/db';
import type { Logger } from '@outband/observability';
import type { ClaimedDelivery, DueDelivery, EndpointRecord, WebhookRepository } from './webhook.repository';
import { deliveryView, endpointView } from './webhook-views';
import type { WebhookSendOutcome } from './webhook-sender';
import { DeliverySlots, type DeliverySlotLimits } from './delivery-slots';
import { destinationNotAllowed, webhookUrlProblem, type WebhookDestinationPolicy } from './webhook-destination';

export interface WebhookServiceDeps {
  repo: WebhookRepository;
  /** Seal endpoint secrets at rest; undefined: webhooks are off. */
  keys: SealKey[] | undefined;
  /** First retry after this long, doubling each time (capped at an hour). */
  retryBaseMs: number;
  /** A delivery that has failed for this long is given up. */
  giveUpMs: number;
  /** Bound on one delivery attempt (it sets the lease on a claimed delivery too). */
  timeoutMs: number;
  /** Which URLs may be registered and sent to. */
  destinations: WebhookDestinationPolicy;
  /** Active endpoints one merchant may have. */
  maxEndpoints: number;
  /** Deliveries under way at once, in all and per merchant. */
  concurrency: DeliverySlotLimits;
  /** POSTs one delivery (the webhook sender). */
  send: (url: string, headers: Record<string, string>, body: string) => Promise<WebhookSendOutcome>;
  clock: () => Date;
  logger: Logger;
  /** Observes each delivery attempt's outcome and how long after the event it came (metrics). */
  onAttempt?: (outcome: 'delivered' | 'retry' | 'failed', lagSeconds: number) => void;
}

/** The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` under the endpoint's secret. */
export function webhookSignature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Signed, durable webhooks: events go to an outbox in MySQL, one delivery per endpoint, sent
 * with exponential backoff until one succeeds or `giveUpMs` has passed; merchants can replay any.
 */
export class WebhookService {
  private readonly slots: DeliverySlots;

  constructor(private readonly d: WebhookServiceDeps) {
    this.slots = new DeliverySlots(d.concurrency);
  }

  async register(req: Omit<WebhookRegisterV1, 'type' | 'version'>): Promise<WebhookEndpointView> {
    const problem = webhookUrlProblem(this.d.destinations, req.url);
    if (problem !== undefined) {
      throw new AppError('invalid_input', 'WEBHOOK_URL_FORBIDDEN', problem, { fieldErrors: [{ field: 'url', message: problem }] });
    }
    if ((await this.d.repo.countEndpoints(req.merchantId)) >= this.d.maxEndpoints) {
      throw this.limitReached();
    }
    const secret = newSecret();
    const e: EndpointRecord = {
      id: `we_${randomBytes(16).toString('hex')}`,
      merchantId: req.merchantId,
      url: req.url,
      events: [...new Set(req.events)],
      sealedSecret: '',
      createdAt: this.d.clock(),
    };
    e.sealedSecret = seal(this.keys(), secret, e.id);
    await this.d.repo.insertEndpoint(e);
    // Registrations at the same time all passed the count: any that finds the cap exceeded
    // after its insert steps back (all may; a retry then succeeds).
    if ((await this.d.repo.countEndpoints(req.merchantId)) > this.d.maxEndpoints) {
      await this.d.repo.remove(e.id, req.merchantId);
      throw this.limitReached();
    }
    return { ...endpointView(e), secret };
  }

  async list(merchantId: string): Promise<WebhookActionResult> {
    return { endpoints: (await this.d.repo.endpoints(merchantId)).map(endpointView) };
  }

  async remove(merchantId: string, endpointId: string): Promise<WebhookActionResult> {
    if (!(await this.d.repo.remove(endpointId, merchantId))) {
      throw notFound();
    }
    return this.list(merchantId);
  }

  /** A new secret for the endpoint, shown once; the next deliveries are signed with it. */
  async rotate(merchantId: string, endpointId: string): Promise<WebhookActionResult> {
    const secret = newSecret();
    if (!(await this.d.repo.setSecret(endpointId, merchantId, seal(this.keys(), secret, endpointId)))) {
      throw notFound();
    }
    const e = await this.d.repo.endpoint(endpointId);
    return { endpoints: e ? [{ ...endpointView(e), secret }] : [] };
  }

  async deliveries(merchantId: string, endpointId: string): Promise<WebhookActionResult> {
    return { deliveries: (await this.d.repo.deliveries(endpointId, merchantId, 100)).map(deliveryView) };
  }

  async replay(merchantId: string, deliveryId: number): Promise<WebhookActionResult> {
    if (!(await this.d.repo.replay(deliveryId, merchantId, this.d.clock()))) {
      throw new AppError('not_found', 'WEBHOOK_DELIVERY_NOT_FOUND', 'no such delivery');
    }
    return { deliveries: [] };
  }

  /**
   * Queues an event (made by its builder in the contracts) for the merchant's endpoints that
   * take it. Its `eventKey` names the event itself, so a repeated emit queues nothing more.
   * Given `tx`, the event is queued in it: it commits, or not, with what caused it.
   */
  async emit(merchantId: string, event: WebhookEventDraft, tx?: Knex.Transaction): Promise<void> {
    const { type, eventKey, data } = event;
    if (!this.d.keys) {
      return;
    }
    const repo = tx ? this.d.repo.within(tx) : this.d.repo;
    const endpoints = (await repo.endpoints(merchantId)).filter((e) => e.events.some((want) => matches(want, type)));
    if (endpoints.length === 0) {
      return;
    }
    const now = this.d.clock();
    const id = `evt_${createHash('sha256').update(eventKey).digest('hex').slice(0, 32)}`;
    const payload = JSON.stringify({ id, type, createdAt: now.toISOString(), data });
    await repo.enqueue(
      endpoints.map((e) => e.id),
      merchantId,
      id,
      type,
      payload,
      now,
    );
  }

  /**
   * Starts what is due and fits in the free slots, round-robin across merchants, without
   * waiting for the answers: the next round can start another merchant's deliveries while
   * slow endpoints still hold their own merchant's slots. Answers how many it started.
   *
   * The deliveries are claimed together, in one conditional update that also counts their try:
   * another replica that read the same ones gets none of them, and none settled since it read
   * them (with a backoff) is sent again before its time.
   */
  async deliverDue(): Promise<number> {
    const now = this.d.clock();
    const due = await this.d.repo.dueFairly(now, {
      limit: this.slots.free(),
      perMerchant: this.d.concurrency.perMerchant,
      skip: this.slots.saturated(),
    });
    const claimed = await this.d.repo.claim(
      this.fitting(due).map((d) => d.id),
      now,
      this.d.timeoutMs * 3,
    );
    for (const delivery of claimed) {
      this.slots.start(delivery.merchantId, () =>
        this.deliver(delivery).catch((err: unknown) =>
          this.d.logger.warn({ err, deliveryId: delivery.id }, 'webhook delivery not settled'),
        ),
      );
    }
    return claimed.length;
  }

  /** Those of the due deliveries that fit in their merchants' free slots. */
  private fitting(due: DueDelivery[]): DueDelivery[] {
    const taken = new Map<string, number>();
    return due.filter((d) => {
      const n = taken.get(d.merchantId) ?? 0;
      if (n >= this.slots.freeFor(d.merchantId)) {
        return false;
      }
      taken.set(d.merchantId, n + 1);
      return true;
    });
  }

  /** Resolves once the deliveries under way have settled (on shutdown, after the last round). */
  idle(): Promise<void> {
    return this.slots.idle();
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const endpoint = await this.d.repo.endpoint(delivery.endpointId);
    // The claim counted this try.
    const attempts = delivery.attempts;
    let statusCode: number | null = null;
    let error: string | null = null;
    let cause: string | undefined;
    const secret = endpoint ? this.secretOf(endpoint) : undefined;
    if (!endpoint) {
      error = 'endpoint removed';
    } else if (secret === undefined) {
      error = 'the signing secret cannot be read: rotate it';
    } else {
      const t = Math.floor(this.d.clock().getTime() / 1000);
      const outcome = await this.d.send(
        endpoint.url,
        {
          'content-type': 'application/json',
          'outband-signature': webhookSignature(secret, delivery.payload, t),
          'outband-event-id': delivery.eventId,
          'outband-event-type': delivery.eventType,
        },
        delivery.payload,
      );
      // The merchant reads these back: one message per kind of failure, so the deliveries log
      // tells nothing about hosts and ports it was not meant to reach (no port scanning).
      switch (outcome.kind) {
        case 'answered':
          statusCode = outcome.statusCode;
          break;
        case 'refused':
          error = destinationNotAllowed;
          cause = 'refused';
          break;
        case 'failed':
          error = 'no HTTP answer from the endpoint';
          cause = outcome.cause;
          break;
      }
    }
    const now = this.d.clock();
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const givenUp = !ok && (!endpoint || now.getTime() - delivery.createdAt.getTime() >= this.d.giveUpMs);
    const status = ok ? 'delivered' : givenUp ? 'failed' : 'pending';
    const delay = Math.min(3_600_000, this.d.retryBaseMs * 2 ** (attempts - 1));
    const settled = await this.d.repo.settle(delivery, {
      status,
      statusCode,
      error: ok ? null : (error ?? `answered ${statusCode ?? '?'}`),
      nextAttemptAt: new Date(now.getTime() + delay),
      at: now,
    });
    if (!settled) {
      // The lease ran out (or the delivery was replayed) and another claim owns it now: its try counts.
      this.d.logger.warn({ deliveryId: delivery.id, endpointId: delivery.endpointId, statusCode, attempts }, 'webhook delivery lease lost');
      return;
    }
    this.d.onAttempt?.(ok ? 'delivered' : givenUp ? 'failed' : 'retry', (now.getTime() - delivery.createdAt.getTime()) / 1000);
    if (!ok) {
      this.d.logger.warn(
        { deliveryId: delivery.id, endpointId: delivery.endpointId, statusCode, cause, attempts, status },
        'webhook delivery failed',
      );
    }
  }

  /** The endpoint's secret, or undefined when no key of the ring opens it any more. */
  private secretOf(endpoint: EndpointRecord): string | undefined {
    try {
      return unseal(this.keys(), endpoint.sealedSecret, endpoint.id);
    } catch {
      return undefined;
    }
  }

  private limitReached(): AppError {
    return new AppError(
      'conflict',
      'WEBHOOK_ENDPOINT_LIMIT_REACHED',
      `a merchant may have at most ${this.d.maxEndpoints} webhook endpoints; remove one first`,
    );
  }

  private keys(): SealKey[] {
    if (!this.d.keys) {
      throw new AppError('unavailable', 'WEBHOOKS_DISABLED', 'no content key is configured on this installation (CONTENT_KEYS)');
    }
    return this.d.keys;
  }
}

function matches(want: string, type: string): boolean {
  return want === type || (want.endsWith('.*') && type.startsWith(want.slice(0, -1)));
}

function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function notFound(): AppError {
  return new AppError('not_found', 'WEBHOOK_NOT_FOUND', 'no such webhook endpoint');
}
