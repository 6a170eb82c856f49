import { randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';
import type { SessionView } from '@outband/contracts';
import type { Logger } from '@outband/observability';
import type { Bookings } from '../billing/bookings';
import type { PendingSecretStore } from '../verifications/pending/pending-secret.store';
import type { SessionRecord, SessionRepository } from './session.repository';
import type { SubscriberRepository } from '../subscribers/subscriber.repository';
import type { VerificationRecord, VerificationRepository } from '../verifications/verification.repository';
import { decoyOf } from '../verifications/start/decoy';

export interface SessionServiceDeps {
  sessions: SessionRepository;
  subscribers: Pick<SubscriberRepository, 'findByIdentifier'>;
  verifications: Pick<VerificationRepository, 'pendingInSession'>;
  /** Records a code that died with its session, through the verification lifecycle. */
  endVerification: (v: VerificationRecord, at: Date) => Promise<void>;
  pending: Pick<PendingSecretStore, 'cancel'>;
  bookings: Pick<Bookings, 'sessionClosed'>;
  clock: () => Date;
  idleSeconds: number;
  /** The key decoy sessions are derived with (the active MAC key). */
  decoyKey: Buffer;
  logger: Logger;
}

/**
 * First-network sessions (patent: connected mode; PSD2 RTS Art. 4(3)(d)): a session ends when
 * the merchant ends it or when no heartbeat came for `idleSeconds`; its pending codes die with
 * it (`SESSION_CLOSED`), and its duration is booked where the merchant is billed by duration.
 */
export class SessionService {
  constructor(private readonly d: SessionServiceDeps) {}

  async open(merchantId: string, identifier: string): Promise<SessionView> {
    const found = await this.d.subscribers.findByIdentifier(identifier, merchantId);
    // Unknown and suspended identifiers get a decoy session that behaves the same (decoy.ts).
    const subscriber = found?.status === 'active' ? found : null;
    const now = this.d.clock();
    const s: SessionRecord = {
      id: `se_${randomBytes(16).toString('hex')}`,
      merchantId,
      subscriberId: subscriber?.id ?? null,
      decoyOf: subscriber ? null : decoyOf(this.d.decoyKey, identifier),
      status: 'open',
      closeReason: null,
      openedAt: now,
      lastSeenAt: now,
      closedAt: null,
    };
    await this.d.sessions.insert(s);
    return this.view(s);
  }

  async get(merchantId: string, id: string): Promise<SessionView> {
    return this.view(await this.current(merchantId, id));
  }

  async heartbeat(merchantId: string, id: string): Promise<SessionView> {
    const s = await this.current(merchantId, id);
    const now = this.d.clock();
    if (s.status !== 'open' || !(await this.d.sessions.touch(id, now))) {
      throw sessionClosed();
    }
    return this.view({ ...s, lastSeenAt: now });
  }

  async end(merchantId: string, id: string): Promise<SessionView> {
    const s = await this.current(merchantId, id);
    if (s.status === 'open') {
      await this.close(s, 'ended', this.d.clock());
    }
    return this.get(merchantId, id);
  }

  /** Refuses a code for a session that is not this merchant's and subscriber's, or not open. */
  async requireOpen(merchantId: string, id: string, holder: number | string): Promise<void> {
    const s = await this.current(merchantId, id);
    if ((s.subscriberId ?? `d${s.decoyOf}`) !== holder) {
      throw new AppError('invalid_input', 'SESSION_MISMATCH', 'the session belongs to another subscriber');
    }
    if (s.status !== 'open') {
      throw sessionClosed();
    }
  }

  /** Closes sessions idle past the timeout (the same happens when one of them is next used). */
  async sweep(): Promise<number> {
    const idle = await this.d.sessions.idle(this.idleSince(), 100);
    for (const s of idle) {
      // One session's failure must not stop the others, nor the sweeps that run after this one.
      await this.close(s, 'idle', this.idleEnd(s)).catch((err: unknown) =>
        this.d.logger.warn({ err, sessionId: s.id }, 'idle session not closed'),
      );
    }
    return idle.length;
  }

  /** The session as it is now: one idle past the timeout is closed first. */
  private async current(merchantId: string, id: string): Promise<SessionRecord> {
    const s = await this.d.sessions.findForMerchant(id, merchantId);
    if (!s) {
      throw new AppError('not_found', 'SESSION_NOT_FOUND', 'no such session');
    }
    if (s.status === 'open' && s.lastSeenAt < this.idleSince()) {
      await this.close(s, 'idle', this.idleEnd(s));
      return (await this.d.sessions.findForMerchant(id, merchantId)) ?? s;
    }
    return s;
  }

  private async close(s: SessionRecord, reason: 'ended' | 'idle', at: Date): Promise<void> {
    if (!(await this.d.sessions.close(s.id, reason, at))) {
      return; // closed meanwhile, by another request or process
    }
    // Booked first: the session row is closed now, and no later round would book it.
    await this.d.bookings.sessionClosed(s, at);
    for (const v of await this.d.verifications.pendingInSession(s.id)) {
      if ((await this.d.pending.cancel(v.id, 'session_closed')) === 'session_closed') {
        // One code's failure must not keep the others open; its payment is finished by the sweep.
        await this.d
          .endVerification(v, at)
          .catch((err: unknown) =>
            this.d.logger.warn({ err, sessionId: s.id, verificationId: v.id }, 'a code of a closed session was not ended'),
          );
      }
    }
    this.d.logger.info({ sessionId: s.id, reason }, 'session closed');
  }

  private idleSince(): Date {
    return new Date(this.d.clock().getTime() - this.d.idleSeconds * 1000);
  }

  /** An idle session ended when its timeout ran out, not when someone noticed. */
  private idleEnd(s: SessionRecord): Date {
    return new Date(s.lastSeenAt.getTime() + this.d.idleSeconds * 1000);
  }

  private view(s: SessionRecord): SessionView {
    return {
      id: s.id,
      status: s.status,
      ...(s.closeReason ? { closeReason: s.closeReason } : {}),
      openedAt: s.openedAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      ...(s.closedAt
        ? { closedAt: s.closedAt.toISOString(), durationSeconds: Math.round((s.closedAt.getTime() - s.openedAt.getTime()) / 1000) }
        : {}),
      idleTimeoutSeconds: this.d.idleSeconds,
    };
  }
}

function sessionClosed(): AppError {
  return new AppError('conflict', 'SESSION_CLOSED', 'the session has ended: its codes are no longer valid');
}
