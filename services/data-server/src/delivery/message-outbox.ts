import type { Knex } from '@outband/db';
import { isAppError } from '@outband/errors';
import type { Logger } from '@outband/observability';

/** A `message.send` to hand to the broker: its body is already sealed (no code in clear). */
export interface OutboxMessage {
  messageId: string;
  body: { expiresInSeconds: number } & Record<string, unknown>;
  correlationId?: string | undefined;
}

export interface MessageOutboxOptions {
  /** Publishes one message and resolves once the broker confirmed it. */
  publish: (m: OutboxMessage) => Promise<void>;
  /** How long a staged message waits for its first publish before the relay sends it. */
  relayAfterMs: number;
  clock: () => Date;
  logger: Logger;
  /**
   * Observes a message published by the relay (the first publish failed or never ran), dropped
   * expired, or refused by the bus (set aside).
   */
  onRelay?: (outcome: 'published' | 'expired' | 'refused') => void;
}

/**
 * The transactional outbox of `message.send`: a message is staged in the same MySQL transaction
 * as the certificate it carries, so both exist or neither. It is published right after the
 * commit; one whose publish failed (broker away, process killed) is published by the relay.
 * The message server deduplicates by message id, so a relay that overlaps a late publish sends
 * nothing twice. One the bus refuses (`BUS_MESSAGE_INVALID`: its body fails its schema) is set
 * aside, so it neither comes back every round nor holds up the rows behind it. Any other
 * failure ends the round and the rows wait for the next.
 */
export class MessageOutbox {
  private published: string[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly db: Knex,
    private readonly o: MessageOutboxOptions,
  ) {}

  /** Stages messages inside the caller's transaction. */
  async stage(trx: Knex, messages: OutboxMessage[]): Promise<void> {
    const now = this.o.clock();
    await trx('message_outbox').insert(
      messages.map((m) => ({
        message_id: m.messageId,
        body: JSON.stringify(m.body),
        correlation_id: m.correlationId ?? null,
        expires_at: new Date(now.getTime() + m.body.expiresInSeconds * 1000),
        next_attempt_at: new Date(now.getTime() + this.o.relayAfterMs),
        attempts: 0,
      })),
    );
  }

  /** Stages a message that goes with no other record (a notice), then publishes it. */
  async send(m: OutboxMessage): Promise<void> {
    await this.stage(this.db, [m]);
    await this.publish(m);
  }

  /**
   * Publishes a staged message after its commit. A failure is only logged: the message is
   * committed and the relay publishes it later.
   */
  async publish(m: OutboxMessage): Promise<void> {
    try {
      await this.o.publish(m);
      // Removed in batches: one DELETE for many messages rather than a commit per message.
      this.published.push(m.messageId);
    } catch (err) {
      this.o.logger.warn({ err, messageId: m.messageId }, 'message.send not published yet; the outbox relay will send it');
    }
  }

  /** Removes the rows of messages already published. */
  async flush(): Promise<void> {
    await this.flushing;
    const ids = this.published.splice(0, this.published.length);
    if (ids.length === 0) {
      return;
    }
    this.flushing = this.db('message_outbox')
      .whereIn('message_id', ids)
      .delete()
      .then(() => undefined)
      .catch((err: unknown) => {
        this.published.push(...ids); // tried again next time; meanwhile the relay may publish a duplicate, which is deduplicated
        this.o.logger.warn({ err }, 'outbox cleanup failed');
      })
      .finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  /**
   * Publishes the messages whose first publish did not happen; drops those already expired and
   * sets aside those the bus refuses.
   */
  async relay(limit = 200): Promise<number> {
    await this.flush();
    const now = this.o.clock();
    const rows = await this.db<OutboxRow>('message_outbox')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(limit)
      .select('message_id', 'body', 'correlation_id', 'expires_at', 'attempts', 'next_attempt_at', 'dead_at');
    let sent = 0;
    for (const row of rows) {
      if (new Date(row.expires_at).getTime() <= now.getTime()) {
        // Its code is dead: sending it now would only mislead the user. A row set aside was
        // logged and counted when the bus refused it; it was kept until now for a look only.
        await this.db('message_outbox').where({ message_id: row.message_id }).delete();
        if (row.dead_at === null) {
          this.o.logger.warn({ messageId: row.message_id }, 'message.send expired in the outbox');
          this.o.onRelay?.('expired');
        }
        continue;
      }
      if (!(await this.claim(row, now))) {
        continue; // another data server took it
      }
      const body = JSON.parse(row.body) as OutboxMessage['body'];
      // What is left of its lifetime, as the message server counts from when it receives it.
      body.expiresInSeconds = Math.max(1, Math.ceil((new Date(row.expires_at).getTime() - now.getTime()) / 1000));
      try {
        await this.o.publish({ messageId: row.message_id, body, correlationId: row.correlation_id ?? undefined });
      } catch (err) {
        if (isAppError(err) && err.code === 'BUS_MESSAGE_INVALID') {
          await this.setAside(row, err);
          continue; // this message's fault, not the broker's: the next ones may go
        }
        this.o.logger.warn({ err }, 'outbox relay could not publish; it tries again later');
        break; // the broker is away: the rest waits for the next round
      }
      await this.db('message_outbox').where({ message_id: row.message_id }).delete();
      this.o.onRelay?.('published');
      sent += 1;
    }
    return sent;
  }

  /** Moves the row's next attempt forward (backoff), so two relays do not both publish it now. */
  private async claim(row: OutboxRow, now: Date): Promise<boolean> {
    const delay = Math.min(60_000, this.o.relayAfterMs * 2 ** Math.min(row.attempts, 6));
    const changed = await this.db('message_outbox')
      .where({ message_id: row.message_id, attempts: row.attempts })
      .update({ attempts: row.attempts + 1, next_attempt_at: new Date(now.getTime() + delay) });
    return changed === 1;
  }

  /**
   * Marks a message the bus refused as dead and moves its next attempt to its expiry, when the
   * relay drops it: it is refused the same way on every try. Logged once, without its body (it
   * holds a sealed code).
   */
  private async setAside(row: OutboxRow, err: unknown): Promise<void> {
    await this.db('message_outbox')
      .where({ message_id: row.message_id })
      .update({ dead_at: this.o.clock(), next_attempt_at: new Date(row.expires_at) });
    this.o.logger.error({ err, messageId: row.message_id }, 'message.send refused by the bus, set aside in the outbox: never sent');
    this.o.onRelay?.('refused');
  }
}

interface OutboxRow {
  message_id: string;
  body: string;
  correlation_id: string | null;
  expires_at: Date | string;
  attempts: number;
  next_attempt_at: Date | string;
  dead_at: Date | string | null;
}
