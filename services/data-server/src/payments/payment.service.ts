import { randomBytes } from 'node:crypto';
import { AppError, isAppError } from '@outband/errors';
import type { CheckResult, PaymentStartV1, PaymentState, PaymentView, Purpose, VerificationView } from '@outband/contracts';
import type { Logger } from '@outband/observability';
import type { Bookings } from '../billing/bookings';
import type { MerchantRepository } from '../merchants/merchant.repository';
import type { PaymentRecord, PaymentRepository } from './payment.repository';
import type { Subscriber, SubscriberRepository } from '../subscribers/subscriber.repository';
import type { BankAuthorizer } from './bank/bank-authorizer';
import type { BusRequest } from '../verifications/bus-request';
import type { FinalState } from '../verifications/pending/pending-secret.store';
import { toPaymentView } from './payment-view';
import { payerOf } from './payer';
import { needsHistory, securingOf } from './securing';

export interface PaymentServiceDeps {
  payments: PaymentRepository;
  bookings: Pick<Bookings, 'paymentCaptured'>;
  merchants: Pick<MerchantRepository, 'policy'>;
  subscribers: SubscriberRepository;
  /** Undefined when no bank is configured: payments are then refused. */
  bank: BankAuthorizer | undefined;
  /** Starts the transaction verification that carries the code (dynamic linking). */
  startVerification: (
    req: { merchantId: string; identifier: string; transaction: PaymentRecord['transaction']; locale?: 'en' | 'fr' },
    correlationId?: string,
    request?: BusRequest,
    /** The payer's subscriber id: the code goes to the payer found, whatever realm its name is read in. */
    holder?: number,
  ) => Promise<VerificationView>;
  /** Ends a verification no payment will take any more (its code must approve nothing). */
  cancelVerification: (merchantId: string, verificationId: string) => Promise<unknown>;
  clock: () => Date;
  logger: Logger;
}

/** A payment to start, as the service takes it: the bus request without its envelope. */
export type PaymentStartInput = Omit<PaymentStartV1, 'type' | 'version'>;

/** How a verification that secures a payment ended. */
export type VerificationEnd = FinalState | 'failed';

/**
 * Payments (patent Fig. 7-10): `created → authorized → code_sent → verified → captured`, or
 * `declined | expired | failed | voided`. The bank holds the funds before the code is sent (or,
 * by merchant policy, once it is checked); a capture happens only after an approved check, and
 * every authorization that is not captured is voided.
 */
export class PaymentService {
  constructor(private readonly d: PaymentServiceDeps) {}

  async start(req: PaymentStartInput, correlationId?: string, request?: BusRequest): Promise<PaymentView> {
    const bank = this.bank();
    const { subscriber, cardToken } = await payerOf(this.d.subscribers, bank, req.merchantId, req.source);
    // A redelivered request goes on with the payment its first delivery made: one hold, one code.
    const earlier = request?.redelivered ? await this.d.payments.byRequest(req.merchantId, request.id) : undefined;
    if (earlier && earlier.state !== 'created' && earlier.state !== 'authorized') {
      return this.view(earlier.id);
    }
    const policy = await this.d.merchants.policy(req.merchantId);
    const { amount, currency } = req.transaction;
    let p =
      earlier ??
      (await this.d.payments.insertDeciding(
        {
          id: `pa_${randomBytes(16).toString('hex')}`,
          merchantId: req.merchantId,
          subscriberId: subscriber.id,
          source: req.source.kind,
          terminalId: req.source.kind === 'terminal' ? req.source.terminalId : null,
          cardToken,
          transaction: req.transaction,
          authorizeAfterCheck: policy.authorizeAfterCheck,
          createdAt: this.d.clock(),
          requestId: request?.id ?? null,
        },
        (history) => securingOf(policy, amount, currency, history),
        needsHistory(policy, amount, currency),
      ));
    if (p.state === 'created' && (p.securing === 'normal' || !p.authorizeAfterCheck)) {
      const authorized = await this.authorize(bank, p).catch((e: unknown) => {
        throw withPayment(e, p.id); // left `created`: the sweep asks the bank what it did
      });
      if (!authorized) {
        return this.view(p.id);
      }
      p = authorized;
    }
    if (p.securing === 'normal') {
      await this.capture(bank, p);
      return this.view(p.id);
    }
    // What the code's start left is known here: the answer needs only the history read.
    const sent = await this.sendCode(bank, p, subscriber, { locale: req.locale, channel: req.channel }, correlationId, request);
    const view = await this.viewOf(sent.payment, subscriber);
    return sent.ocra ? { ...view, ocra: sent.ocra } : view;
  }

  async get(merchantId: string, id: string): Promise<PaymentView> {
    const p = await this.d.payments.findForMerchant(id, merchantId);
    if (!p) {
      throw new AppError('not_found', 'PAYMENT_NOT_FOUND', 'no such payment');
    }
    return this.view(p.id);
  }

  /** The payment a check just ended the verification of, as the check's answer shows it. */
  async afterCheck(result: CheckResult): Promise<PaymentView | undefined> {
    const ended = result.outcome === 'approved' || result.outcome === 'burned';
    if (!ended || result.verification.purpose !== 'transaction' || !this.d.bank) {
      return undefined;
    }
    const p = await this.d.payments.findByVerification(result.verification.id);
    return p ? this.viewOf(p) : undefined;
  }

  /** Called when a verification ends: a payment it secures is captured on approval, voided otherwise. */
  async onVerificationEnd(verificationId: string, end: VerificationEnd, purpose?: Purpose): Promise<void> {
    // Payments are secured by transaction verifications only: a login's end needs no lookup.
    const p = purpose === undefined || purpose === 'transaction' ? await this.d.payments.findByVerification(verificationId) : undefined;
    if (!p || !this.d.bank) {
      return;
    }
    // The check's answer stands whatever the bank does now; what fails here, the sweep finishes.
    const bank = this.d.bank;
    await this.guard(p, () => this.settle(bank, p, end));
  }

  /**
   * Finishes what a crash, a lost answer or a closed verification left open: payments waiting
   * for a verification that is over, approved payments not captured, authorizations whose
   * payment never went on. Safe to run from several processes: transitions are conditional and
   * bank calls idempotent.
   */
  async sweep(graceMs: number): Promise<number> {
    const bank = this.d.bank;
    if (!bank) {
      return 0;
    }
    const now = this.d.clock();
    let n = 0;
    for (const p of await this.d.payments.awaitingClosedVerifications(now, 100)) {
      await this.guard(p, () => this.settle(bank, p, p.verificationStatus as VerificationEnd));
      n += 1;
    }
    for (const p of await this.d.payments.stale(new Date(now.getTime() - graceMs), 100)) {
      n += 1;
      await this.guard(p, async () => {
        switch (p.state) {
          case 'verified':
            await this.complete(bank, p);
            return;
          case 'authorized':
            // A normal payment is captured at once; a secured one whose code never left is abandoned.
            await (p.securing === 'normal' ? this.capture(bank, p) : this.abandon(bank, p));
            return;
          case 'created':
            await this.reconcileCreated(bank, p);
            return;
          case 'code_sent': // waits for its verification (handled above once that is over)
          case 'captured':
          case 'declined':
          case 'expired':
          case 'failed':
          case 'voided':
            return;
        }
      });
    }
    return n;
  }

  private async guard(p: PaymentRecord, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      this.d.logger.warn({ paymentId: p.id, state: p.state, err: e }, 'payment left for the next sweep');
    }
  }

  private async settle(bank: BankAuthorizer, p: PaymentRecord, end: VerificationEnd): Promise<void> {
    if (end !== 'approved') {
      const to: PaymentState = end === 'expired' ? 'expired' : end === 'canceled' ? 'voided' : 'failed';
      await this.release(bank, p, to, end === 'max_attempts_reached' ? 'TOO_MANY_ATTEMPTS' : end.toUpperCase());
      return;
    }
    if (await this.d.payments.transition(p, ['code_sent'], 'verified', null, this.d.clock())) {
      p = { ...p, state: 'verified' };
    }
    if (p.state === 'verified') {
      await this.complete(bank, p);
    }
  }

  /** After an approved check: authorize now if the policy says so, then capture. */
  private async complete(bank: BankAuthorizer, p: PaymentRecord): Promise<void> {
    if (!p.authorizationId) {
      const authorized = await this.authorize(bank, p);
      if (!authorized) {
        return;
      }
      p = authorized;
    }
    await this.capture(bank, p);
  }

  /** Asks the bank to hold the amount; undefined when it declined. */
  private async authorize(bank: BankAuthorizer, p: PaymentRecord): Promise<PaymentRecord | undefined> {
    const { amount, currency } = p.transaction;
    const r = await bank.authorize({
      idempotencyKey: `authorize:${p.id}`,
      cardToken: p.cardToken,
      amount,
      currency,
      merchantId: p.merchantId,
      reference: p.id,
    });
    const now = this.d.clock();
    if (r.kind === 'declined') {
      await this.d.payments.transition(p, [p.state], 'declined', r.reason.toUpperCase(), now);
      return undefined;
    }
    await this.d.payments.transition(p, [p.state], 'authorized', null, now, { authorizationId: r.authorizationId });
    return { ...p, state: 'authorized', authorizationId: r.authorizationId };
  }

  /** Takes the held amount, books both billing registers, then records the capture. */
  private async capture(bank: BankAuthorizer, p: PaymentRecord): Promise<void> {
    if (!p.authorizationId) {
      throw new Error(`payment ${p.id} has no authorization to capture`);
    }
    try {
      await bank.capture(p.authorizationId);
    } catch (e) {
      if (isAppError(e) && e.code === 'BANK_CONFLICT') {
        await this.d.payments.transition(p, ['authorized', 'verified'], 'failed', 'CAPTURE_REFUSED', this.d.clock());
        return;
      }
      throw e;
    }
    const now = this.d.clock();
    await this.d.bookings.paymentCaptured(p, now);
    // From the state it was read or moved in: if another process moved it since, that one captures
    // it (the bank's capture is idempotent).
    const from: PaymentState[] = p.state === 'authorized' || p.state === 'verified' ? [p.state] : ['authorized', 'verified'];
    await this.d.payments.transition(p, from, 'captured', null, now);
  }

  /** Voids the authorization, if any, then closes the payment; nothing is captured. */
  private async release(bank: BankAuthorizer, p: PaymentRecord, to: PaymentState, cause: string): Promise<void> {
    if (p.authorizationId) {
      try {
        await bank.void(p.authorizationId);
      } catch (e) {
        if (!isAppError(e) || e.code !== 'BANK_CONFLICT') {
          throw e; // unanswered: the next sweep tries again
        }
        // The bank knows no such hold, or took it already: retrying cannot help; ops must look.
        this.d.logger.warn({ paymentId: p.id, err: e }, 'the bank refused to void the authorization');
        await this.d.payments.transition(p, ['created', 'authorized', 'code_sent', 'verified'], 'failed', 'VOID_REFUSED', this.d.clock());
        return;
      }
    }
    await this.d.payments.transition(p, ['created', 'authorized', 'code_sent', 'verified'], to, cause, this.d.clock());
  }

  /**
   * Gives up an authorized payment whose code never left. Its code may be on its way right now
   * (the start moves it to `code_sent` once the code is out): the state is taken first, so either
   * the start or this wins, never both; the hold is voided only when this won.
   */
  private async abandon(bank: BankAuthorizer, p: PaymentRecord): Promise<void> {
    if (!(await this.d.payments.transition(p, ['authorized'], 'failed', 'ABANDONED', this.d.clock()))) {
      return;
    }
    if (p.authorizationId) {
      await bank
        .void(p.authorizationId)
        .catch((err: unknown) => this.d.logger.error({ err, paymentId: p.id }, 'the hold of an abandoned payment was not voided'));
    }
  }

  /** An authorize call whose answer never came back: ask the bank what it did, and undo it. */
  private async reconcileCreated(bank: BankAuthorizer, p: PaymentRecord): Promise<void> {
    const found = await bank.findAuthorization(`authorize:${p.id}`);
    if (found?.status === 'declined') {
      await this.d.payments.transition(p, ['created'], 'declined', 'BANK_DECLINED', this.d.clock());
      return;
    }
    await this.release(bank, { ...p, authorizationId: found?.authorizationId ?? null }, 'failed', 'ABANDONED');
  }

  private async sendCode(
    bank: BankAuthorizer,
    p: PaymentRecord,
    subscriber: Subscriber,
    o: { locale: 'en' | 'fr' | undefined; channel: PaymentStartInput['channel'] },
    correlationId?: string,
    request?: BusRequest,
  ): Promise<{ payment: PaymentRecord; ocra?: { challenge: string } | undefined }> {
    let v: VerificationView;
    try {
      // Under the payment's request: a redelivery finds the code the first delivery sent.
      v = await this.d.startVerification(
        {
          merchantId: p.merchantId,
          identifier: subscriber.identifier,
          transaction: p.transaction,
          ...(o.locale ? { locale: o.locale } : {}),
          ...(o.channel ? { channel: o.channel } : {}),
        },
        correlationId,
        request,
        subscriber.id,
      );
    } catch (e) {
      await this.release(bank, p, 'failed', isAppError(e) ? e.code : 'VERIFICATION_NOT_STARTED');
      throw withPayment(e, p.id);
    }
    const at = this.d.clock();
    if (!(await this.d.payments.transition(p, [p.state], 'code_sent', null, at, { verificationId: v.id }))) {
      // The sweep gave the payment up while its code went out (a store stalled past the grace):
      // that code must approve nothing, and the merchant must not take the payment as started.
      await this.d
        .cancelVerification(p.merchantId, v.id)
        .catch((e: unknown) =>
          this.d.logger.warn({ err: e, verificationId: v.id }, 'the verification of an abandoned payment was not canceled'),
        );
      throw withPayment(
        new AppError('unavailable', 'PAYMENT_ABANDONED', 'the payment was given up while its code was being sent: start it again', {
          retryable: true,
        }),
        p.id,
      );
    }
    return { payment: { ...p, state: 'code_sent', cause: null, verificationId: v.id, updatedAt: at }, ocra: v.ocra };
  }

  private bank(): BankAuthorizer {
    if (!this.d.bank) {
      throw new AppError('unavailable', 'PAYMENTS_DISABLED', 'no bank is configured on this installation (BANK_URL)');
    }
    return this.d.bank;
  }

  private async view(id: string): Promise<PaymentView> {
    const p = await this.d.payments.find(id);
    if (!p) {
      throw new AppError('not_found', 'PAYMENT_NOT_FOUND', 'no such payment');
    }
    return this.viewOf(p);
  }

  private async viewOf(p: PaymentRecord, subscriber?: Subscriber): Promise<PaymentView> {
    return toPaymentView(p, subscriber ?? (await this.d.subscribers.findById(p.subscriberId)), await this.d.payments.history(p.id));
  }
}

/** The merchant learns which payment an error is about. */
function withPayment(e: unknown, paymentId: string): unknown {
  if (!isAppError(e)) {
    return e;
  }
  return new AppError(e.kind, e.code, e.message, { retryable: e.retryable, details: { ...e.details, paymentId }, cause: e });
}
