import { randomUUID } from 'node:crypto';
import { Bus } from '@outband/bus';
import { envKeyRing } from '@outband/config';
import { busNames, seal } from '@outband/contracts';
import { createLogger } from '@outband/observability';
import { servers } from './servers';
import { subscribers, type Suite } from './suite';

/** A bus of the test's own on the suite's RabbitMQ, publishing as the services do. */
export function connectTestBus(suite: Suite): Promise<Bus> {
  return Bus.connect({ url: servers.amqp, names: busNames(suite.busPrefix), logger: createLogger({ service: 'test', level: 'warn' }) });
}

/** A login code's `message.send` to alice, as the data server stages it, and the certificate committed with it. */
export function loginMessageFor(suite: Suite, verificationId: string, code: string, now = new Date()) {
  const messageId = randomUUID();
  const body = {
    type: 'message.send',
    version: 1,
    messageId,
    verificationId,
    merchantId: suite.merchant.id,
    address: subscribers.alice.address,
    receiverKind: 'mobile',
    purpose: 'login',
    locale: 'en',
    sealedCode: seal(envKeyRing(32).parse(suite.keys.seal), code, messageId),
    expiresInSeconds: 300,
  };
  return { messageId, body, certificate: queuedCertificate(messageId, verificationId, now) };
}

/** A certificate row of alice's, its message queued: what a message's reports are applied to. */
export function queuedCertificate(id: string, verificationId: string, at: Date) {
  return {
    id,
    verification_id: verificationId,
    address: subscribers.alice.address,
    purpose: 'login',
    delivery_state: 'queued',
    outcome: 'pending',
    created_at: at,
    delivery_updated_at: at,
  };
}
