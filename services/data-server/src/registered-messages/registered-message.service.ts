import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';
import {
  registeredContent,
  registeredMessageRetrieved,
  seal,
  unseal,
  type CheckResult,
  type NoticeKind,
  type RegisteredSendV1,
  type RegisteredView,
  type SealKey,
  type VerificationView,
} from '@outband/contracts';
import type { RegisteredRecord, RegisteredMessageRepository } from './registered-message.repository';
import type { StartInput } from '../verifications/start/start-input';
import type { Subscriber, SubscriberRepository } from '../subscribers/subscriber.repository';
import { maskAddress } from '../verifications/mask-address';
import type { WebhookService } from '../webhooks/webhook.service';

export interface RegisteredMessageDeps {
  messages: RegisteredMessageRepository;
  subscribers: Pick<SubscriberRepository, 'findByIdentifier' | 'findByAddress' | 'findById'>;
  /** Starts a verification; `holder` pins the subscriber found, whatever realm its name is read in. */
  startVerification: (req: StartInput, holder?: number) => Promise<VerificationView>;
  checkVerification: (
    merchantId: string,
    verificationId: string,
    code: string,
    message: { text: string; reference: string },
  ) => Promise<CheckResult>;
  sendNotice: (subscriber: Subscriber, notice: NoticeKind, context: { verificationId: string; merchantId: string }) => Promise<void>;
  /** Queues the merchant's webhook events. */
  webhooks?: Pick<WebhookService, 'emit'>;
  /** Seal the content at rest; undefined: registered messages are off. */
  contentKeys: SealKey[] | undefined;
  maxBytes: number;
  retentionSeconds: number;
  clock: () => Date;
}

/**
 * Registered messages (the patent's registered telecopy / e-mail): the sender confirms the
 * deposit with a code; the addressee is alerted, and reads the content only after typing the
 * code sent to the addressee's phone; the sender is told. Each code certifies the message's
 * digest; the content is sealed at rest and deleted after the retention period.
 */
export class RegisteredMessageService {
  constructor(private readonly d: RegisteredMessageDeps) {}

  async send(req: Omit<RegisteredSendV1, 'type' | 'version'>): Promise<RegisteredView> {
    const keys = this.keys();
    const sender = active(await this.d.subscribers.findByIdentifier(req.from, req.merchantId), 'SUBSCRIBER_UNKNOWN');
    const addressee = active(
      'identifier' in req.to
        ? await this.d.subscribers.findByIdentifier(req.to.identifier, req.merchantId)
        : await this.d.subscribers.findByAddress(req.to.address, req.merchantId),
      'ADDRESSEE_UNKNOWN',
    );
    const content = JSON.stringify(req.content);
    const size =
      Buffer.byteLength(req.content.text) + (req.content.attachment ? Buffer.from(req.content.attachment.base64, 'base64').length : 0);
    if (size > this.d.maxBytes) {
      throw new AppError('invalid_input', 'CONTENT_TOO_LARGE', `a registered message holds at most ${this.d.maxBytes} bytes`);
    }
    const id = `rm_${randomBytes(16).toString('hex')}`;
    const digest = createHash('sha256').update(content).digest('hex');
    const record: RegisteredRecord = {
      id,
      merchantId: req.merchantId,
      senderId: sender.id,
      addresseeId: addressee.id,
      state: 'awaiting_confirmation',
      sealedContent: seal(keys, content, id),
      contentDigest: digest,
      sizeBytes: size,
      senderVerificationId: null,
      retrievalVerificationId: null,
      createdAt: this.d.clock(),
      depositedAt: null,
      retrievedAt: null,
      contentDeletedAt: null,
    };
    const v = await this.d.startVerification(
      {
        merchantId: req.merchantId,
        identifier: sender.identifier,
        purpose: 'message',
        message: { text: senderStatement(addressee, digest), reference: id },
      },
      sender.id,
    );
    await this.d.messages.insert({ ...record, senderVerificationId: v.id });
    return this.get(req.merchantId, id);
  }

  async get(merchantId: string, id: string): Promise<RegisteredView> {
    return this.view(await this.find(merchantId, id));
  }

  /** The sender's code confirms the deposit; the addressee is then alerted by SMS. */
  async confirm(merchantId: string, id: string, code: string): Promise<RegisteredView> {
    const r = await this.inState(merchantId, id, 'awaiting_confirmation');
    const addressee = await this.d.subscribers.findById(r.addresseeId);
    const result = await this.d.checkVerification(merchantId, r.senderVerificationId ?? '', code, {
      text: senderStatement(addressee, r.contentDigest),
      reference: id,
    });
    if (result.outcome !== 'approved') {
      if (result.outcome === 'burned') {
        await this.d.messages.transition(id, 'awaiting_confirmation', 'abandoned');
      }
      return { ...(await this.get(merchantId, id)), cause: causeOf(result) };
    }
    if ((await this.d.messages.transition(id, 'awaiting_confirmation', 'deposited', { depositedAt: this.d.clock() })) && addressee) {
      await this.d.sendNotice(addressee, 'registered_waiting', { verificationId: r.senderVerificationId ?? '', merchantId });
    }
    return this.get(merchantId, id);
  }

  /** The addressee asks to read it: a code certifying the message goes to the addressee's phone. */
  async retrieve(merchantId: string, id: string): Promise<RegisteredView> {
    const r = await this.inState(merchantId, id, 'deposited');
    const sender = await this.d.subscribers.findById(r.senderId);
    const addressee = await this.d.subscribers.findById(r.addresseeId);
    const v = await this.d.startVerification(
      {
        merchantId,
        identifier: addressee?.identifier ?? '',
        purpose: 'message',
        message: { text: addresseeStatement(sender, r.contentDigest), reference: id },
      },
      r.addresseeId,
    );
    await this.d.messages.setRetrievalVerification(id, v.id);
    return this.get(merchantId, id);
  }

  /** The addressee's code opens the content (once); the sender is told by SMS. */
  async open(merchantId: string, id: string, code: string): Promise<RegisteredView> {
    const r = await this.inState(merchantId, id, 'deposited');
    if (!r.retrievalVerificationId) {
      throw new AppError('conflict', 'RETRIEVAL_NOT_STARTED', 'ask for the retrieval code first (retrieve)');
    }
    if (!r.sealedContent) {
      throw new AppError('conflict', 'CONTENT_DELETED', 'the content was deleted after the retention period');
    }
    const sender = await this.d.subscribers.findById(r.senderId);
    const result = await this.d.checkVerification(merchantId, r.retrievalVerificationId, code, {
      text: addresseeStatement(sender, r.contentDigest),
      reference: id,
    });
    if (result.outcome !== 'approved') {
      return { ...(await this.get(merchantId, id)), cause: causeOf(result) };
    }
    if (await this.d.messages.transition(id, 'deposited', 'retrieved', { retrievedAt: this.d.clock() })) {
      await this.d.webhooks?.emit(merchantId, registeredMessageRetrieved(id, sender?.identifier ?? ''));
      if (sender) {
        await this.d.sendNotice(sender, 'registered_retrieved', { verificationId: r.retrievalVerificationId, merchantId });
      }
    }
    const content = registeredContent.parse(JSON.parse(unseal(this.keys(), r.sealedContent, id)));
    return { ...(await this.get(merchantId, id)), content };
  }

  /** Deletes content past the retention period. */
  async sweep(): Promise<number> {
    const now = this.d.clock();
    return this.d.messages.deleteContentBefore(new Date(now.getTime() - this.d.retentionSeconds * 1000), now);
  }

  private keys(): SealKey[] {
    if (!this.d.contentKeys) {
      throw new AppError('unavailable', 'REGISTERED_MESSAGES_DISABLED', 'no content key is configured on this installation (CONTENT_KEYS)');
    }
    return this.d.contentKeys;
  }

  private async find(merchantId: string, id: string): Promise<RegisteredRecord> {
    const r = await this.d.messages.findForMerchant(id, merchantId);
    if (!r) {
      throw new AppError('not_found', 'REGISTERED_MESSAGE_NOT_FOUND', 'no such registered message');
    }
    return r;
  }

  private async inState(merchantId: string, id: string, state: RegisteredRecord['state']): Promise<RegisteredRecord> {
    const r = await this.find(merchantId, id);
    if (r.state !== state) {
      throw new AppError('conflict', 'REGISTERED_MESSAGE_STATE', `the message is ${r.state}, not ${state}`);
    }
    return r;
  }

  private async view(r: RegisteredRecord): Promise<RegisteredView> {
    const sender = await this.d.subscribers.findById(r.senderId);
    const addressee = await this.d.subscribers.findById(r.addresseeId);
    return {
      id: r.id,
      state: r.state,
      from: sender?.identifier ?? '',
      to: addressee ? maskAddress(addressee.address) : '',
      digest: r.contentDigest,
      sizeBytes: r.sizeBytes,
      ...(r.senderVerificationId ? { senderVerificationId: r.senderVerificationId } : {}),
      ...(r.retrievalVerificationId ? { retrievalVerificationId: r.retrievalVerificationId } : {}),
      createdAt: r.createdAt.toISOString(),
      ...(r.depositedAt ? { depositedAt: r.depositedAt.toISOString() } : {}),
      ...(r.retrievedAt ? { retrievedAt: r.retrievedAt.toISOString() } : {}),
      ...(r.contentDeletedAt ? { contentDeletedAt: r.contentDeletedAt.toISOString() } : {}),
    };
  }
}

// What each code certifies (shown in the SMS): who, to or from whom, and the content's digest.
function senderStatement(addressee: Subscriber | undefined, digest: string): string {
  return `Send a registered message to ${addressee?.identifier ?? '?'} (${digest.slice(0, 8)})`;
}

function addresseeStatement(sender: Subscriber | undefined, digest: string): string {
  return `Open the registered message from ${sender?.identifier ?? '?'} (${digest.slice(0, 8)})`;
}

function causeOf(r: CheckResult): { code: string; detail: string } {
  return r.outcome === 'burned'
    ? { code: 'TOO_MANY_ATTEMPTS', detail: 'wrong code, no attempts left' }
    : { code: 'CODE_MISMATCH', detail: `wrong code, ${r.verification.attemptsLeft} attempts left` };
}

function active(s: Subscriber | undefined, unknownCode: string): Subscriber {
  if (!s) {
    throw new AppError('not_found', unknownCode, 'no subscriber has this identifier or address');
  }
  if (s.status !== 'active') {
    throw new AppError('forbidden', 'SUBSCRIBER_SUSPENDED', 'the subscriber is suspended');
  }
  return s;
}
