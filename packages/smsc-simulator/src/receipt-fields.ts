/** SMPP 3.4 message states a receipt reports (Table 5-6), by the receipt text's `stat`. */
const messageStates: Record<string, number> = { DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, REJECTD: 8, UNKNOWN: 7 };

/**
 * A delivery receipt's deliver_sm fields, as SMSCs send them (SMPP 3.4 Appendix B): the receipt
 * text, the receipted message id and the message state.
 */
export function receiptFields(r: { id: string; from: string; to: string; stat: string; text: string; at: Date }) {
  const date = formatDate(r.at);
  return {
    source_addr: r.to.replace(/^\+/, ''),
    destination_addr: r.from,
    esm_class: 0x04,
    data_coding: 0,
    short_message: `id:${r.id} sub:001 dlvrd:${r.stat === 'DELIVRD' ? '001' : '000'} submit date:${date} done date:${date} stat:${r.stat} err:000 text:${r.text.slice(0, 20)}`,
    receipted_message_id: r.id,
    message_state: messageStates[r.stat] ?? 7,
  };
}

function formatDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}
