import { randomUUID } from 'node:crypto';
import type { PDU } from 'smpp';
import { messageInboundV1, type MessageInboundV1 } from '@outband/contracts';
import type { Logger } from '@outband/observability';
import { Reassembler, textOfSmppFields } from '@outband/sms-codec';
import type { ReceiptTracker } from './receipt-tracker';
import { isReceipt, parseReceipt } from '../smpp/receipt';

export interface DeliverSmDeps {
  /** Observes each receipt, by the state it tells (metrics). */
  onReceiptState?: (state: string) => void;
  receipts: ReceiptTracker;
  /** Publishes a whole mobile-originated message; resolves once the broker has it. */
  publishInbound: (message: MessageInboundV1) => Promise<void>;
  logger: Logger;
}

/**
 * Handles a deliver_sm of one connection: receipts update messages; messages sent from a
 * handset are reassembled when concatenated and published as inbound events. The promise
 * decides the deliver_sm_resp: a failure asks the SMSC to send it again, so one the inbound
 * contract refuses (it would be refused every time) is logged and acknowledged instead.
 */
export function deliverSmHandler(d: DeliverSmDeps, connectionId: string): (pdu: PDU) => Promise<void> {
  const reassembler = new Reassembler();
  return async (pdu) => {
    const esmClass = typeof pdu.esm_class === 'number' ? pdu.esm_class : 0;
    const { text, concat } = textOfSmppFields(pdu.short_message, pdu.message_payload);
    if (isReceipt(esmClass)) {
      const receipt = parseReceipt(
        typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id : undefined,
        typeof pdu.message_state === 'number' ? pdu.message_state : undefined,
        text,
      );
      if (!receipt) {
        d.logger.warn({ connectionId }, 'delivery receipt without a message id ignored');
        return;
      }
      d.onReceiptState?.(receipt.state ?? 'intermediate');
      await d.receipts.onReceipt(connectionId, receipt);
      return;
    }
    const source = e164(pdu.source_addr, pdu.source_addr_ton);
    const destination = typeof pdu.destination_addr === 'string' ? pdu.destination_addr : '';
    const whole = reassembler.add(source, destination, concat, text);
    if (whole === undefined) {
      return; // more parts to come
    }
    const message: MessageInboundV1 = {
      type: 'message.inbound',
      version: 1,
      inboundId: randomUUID(),
      source,
      destination,
      text: whole,
      connection: connectionId,
      receivedAt: new Date().toISOString(),
    };
    const checked = messageInboundV1.safeParse(message);
    if (!checked.success) {
      // The bus would refuse it on every resend: acknowledge it, or the SMSC resends it forever.
      // Never the text (it may hold a code), nor the zod messages (they may quote it).
      const fields = [...new Set(checked.error.issues.map((i) => i.path.join('.')))];
      d.logger.warn(
        { connectionId, source: masked(source), length: whole.length, parts: concat?.total ?? 1, fields },
        'mobile-originated message the inbound contract refuses dropped',
      );
      return;
    }
    await d.publishInbound(message);
    d.logger.info({ connectionId, parts: concat?.total ?? 1 }, 'mobile-originated message published');
  };
}

// Handsets send from international numbers; keep other forms (short codes) as given.
function e164(addr: unknown, ton: unknown): string {
  const a = typeof addr === 'string' ? addr : '';
  return ton === 1 && /^\d+$/.test(a) ? `+${a}` : a;
}

// An address for a log line: its last two digits show, the rest does not.
function masked(address: string): string {
  return address.replace(/\d(?=.{2})/g, '•');
}
