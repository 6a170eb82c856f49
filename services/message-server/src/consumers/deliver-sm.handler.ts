import type { PDU } from 'smpp';
import type { Logger } from '@outband/observability';
import type { ReceiptTracker } from '../domain/receipt-tracker';
import { isReceipt, parseReceipt } from '../smpp/receipt';

/** Handles a deliver_sm: receipts update messages; handset messages are logged until the reverse channel lands. */
export function deliverSmHandler(receipts: ReceiptTracker, logger: Logger): (pdu: PDU) => Promise<void> {
  return async (pdu) => {
    const esmClass = typeof pdu.esm_class === 'number' ? pdu.esm_class : 0;
    const text = textOf(pdu.short_message) || textOf(pdu.message_payload);
    if (!isReceipt(esmClass)) {
      logger.info({ source: pdu.source_addr, destination: pdu.destination_addr }, 'mobile-originated message received');
      return;
    }
    const receipt = parseReceipt(
      typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id : undefined,
      typeof pdu.message_state === 'number' ? pdu.message_state : undefined,
      text,
    );
    if (!receipt) {
      logger.warn({}, 'delivery receipt without a message id ignored');
      return;
    }
    await receipts.onReceipt(receipt);
  };
}

function textOf(field: unknown): string {
  if (typeof field === 'string') {
    return field;
  }
  if (Buffer.isBuffer(field)) {
    return field.toString('latin1');
  }
  if (field && typeof field === 'object' && 'message' in field) {
    return textOf(field.message);
  }
  return '';
}
