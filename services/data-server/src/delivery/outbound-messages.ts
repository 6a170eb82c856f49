import { randomBytes, randomUUID } from 'node:crypto';
import { seal, type MessageSendV1, type NoticeKind, type SealKey } from '@outband/contracts';
import type { Subscriber } from '../subscribers/subscriber.repository';
import type { BoundData } from '../verifications/codes/bound-data';
import type { MessageOutbox, OutboxMessage } from './message-outbox';

/** A code's message as the verification service gives it: no envelope, nothing sealed yet. */
export type CodeMessage = Omit<MessageSendV1, 'type' | 'version' | 'sealedCode' | 'sealedTransaction'>;

/**
 * The two messages the data server sends to a phone: a code (sealed for the bus, staged with
 * its certificate by the one who issues it) and a notice (no code, no certificate).
 */
export class OutboundMessages {
  constructor(
    private readonly d: {
      outbox: Pick<MessageOutbox, 'send'>;
      /** Seals codes and bound data for the bus (BUS_SEAL_KEYS); the message id is their context. */
      busKeys: SealKey[];
    },
  ) {}

  /** A code's `message.send`, its code and bound data sealed for the bus, ready for the outbox. */
  sealCode(message: CodeMessage, code: string, bound: BoundData, correlationId?: string): OutboxMessage {
    const context = message.messageId;
    const body: MessageSendV1 = {
      type: 'message.send',
      version: 1,
      ...message,
      sealedCode: seal(this.d.busKeys, code, context),
      ...(bound.transaction ? { sealedTransaction: seal(this.d.busKeys, JSON.stringify(bound.transaction), context) } : {}),
      ...(bound.message ? { sealedMessage: seal(this.d.busKeys, JSON.stringify(bound.message), context) } : {}),
    };
    return { messageId: message.messageId, body, correlationId };
  }

  /**
   * A notice to the subscriber's phone; its delivery is not reported back. One outside any
   * verification (an operator's change) carries a fresh id nobody holds.
   */
  async sendNotice(
    subscriber: Subscriber,
    notice: NoticeKind,
    context = { verificationId: `ve_${randomBytes(16).toString('hex')}`, merchantId: 'operator' },
  ): Promise<void> {
    if (subscriber.receiverKind === 'pager-numeric') {
      return; // digits only: a notice cannot be read there
    }
    const messageId = randomUUID();
    await this.d.outbox.send({
      messageId,
      body: {
        type: 'message.send',
        version: 1,
        messageId,
        verificationId: context.verificationId,
        merchantId: context.merchantId,
        address: subscriber.address,
        receiverKind: subscriber.receiverKind,
        purpose: 'message',
        locale: subscriber.locale,
        notice,
        expiresInSeconds: 3600,
      },
    });
  }
}
