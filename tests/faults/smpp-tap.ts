import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * What one message server's SMPP links carried, seen between it and the SMSC: the simulator
 * cannot tell which server a bind belongs to, nor whether a receipt it sent was ever answered.
 */
export interface SmppTap {
  /** The port the message server binds to in place of the SMSC's. */
  port: number;
  /** SMSC ids of the submits the SMSC accepted on these links. */
  submitted: Set<string>;
  /** SMSC ids named by the receipts the SMSC sent on these links. */
  receipts: Set<string>;
  /**
   * Receipts (by the SMSC id they name) these links closed without answering, as when the server
   * was killed: an SMSC sends those again, which the simulator does not.
   */
  unanswered: Set<string>;
  /** Receipts the server answered with an error. */
  refused: Set<string>;
  close(): Promise<void>;
}

const SUBMIT_SM_RESP = 0x80000004;
const DELIVER_SM = 0x00000005;
const DELIVER_SM_RESP = 0x80000005;
const RECEIPTED_MESSAGE_ID = 0x001e;

/** Forwards every byte unchanged to the SMSC and back, and reads the PDUs on the way. */
export async function startSmppTap(smsc: { host: string; port: number }): Promise<SmppTap> {
  const sockets = new Set<Socket>();
  const tap: Omit<SmppTap, 'port' | 'close'> = { submitted: new Set(), receipts: new Set(), unanswered: new Set(), refused: new Set() };
  const server = createServer((client) => {
    const upstream = connect(smsc.port, smsc.host);
    // Receipts sent on this link and not answered yet, by sequence number.
    const awaiting = new Map<number, string>();
    let clientGone = false;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    // Written by hand, not piped: an unpiped stream pauses, and the SMSC's answers to the last
    // submits of a server that died must still be read.
    const toSmsc = frames((id, status, sequence) => {
      const smscId = id === DELIVER_SM_RESP ? awaiting.get(sequence) : undefined;
      if (smscId !== undefined) {
        awaiting.delete(sequence);
        if (status !== 0) {
          tap.refused.add(smscId);
        }
      }
    });
    const fromSmsc = frames((id, status, sequence, body) => {
      if (id === SUBMIT_SM_RESP && status === 0) {
        tap.submitted.add(cString(body, 0).value);
      } else if (id === DELIVER_SM) {
        const smscId = receiptedId(body);
        if (smscId !== undefined) {
          tap.receipts.add(smscId);
          if (clientGone) {
            tap.unanswered.add(smscId);
          } else {
            awaiting.set(sequence, smscId);
          }
        }
      }
    });
    client.on('data', (chunk: Buffer) => {
      if (!upstream.destroyed) {
        upstream.write(chunk);
      }
      toSmsc(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!client.destroyed) {
        client.write(chunk);
      }
      fromSmsc(chunk);
    });
    // The server died or left: what it had not answered is lost with it. The SMSC's side is only
    // ended, so answers to submits the server sent last still come through and are counted.
    client.on('close', () => {
      clientGone = true;
      awaiting.forEach((smscId) => tap.unanswered.add(smscId));
      awaiting.clear();
      upstream.end();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    ...tap,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

/** Cuts a byte stream into PDUs (command_length first) and hands each one's header and body on. */
function frames(onPdu: (commandId: number, status: number, sequence: number, body: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 16) {
      const length = pending.readUInt32BE(0);
      if (length < 16) {
        pending = Buffer.alloc(0); // not SMPP: nothing more can be read from this link
        return;
      }
      if (pending.length < length) {
        return;
      }
      onPdu(pending.readUInt32BE(4), pending.readUInt32BE(8), pending.readUInt32BE(12), pending.subarray(16, length));
      pending = pending.subarray(length);
    }
  };
}

function cString(body: Buffer, at: number): { value: string; next: number } {
  const end = body.indexOf(0, at);
  const stop = end < 0 ? body.length : end;
  return { value: body.toString('latin1', at, stop), next: stop + 1 };
}

/** The SMSC id a delivery receipt names (its TLV, else the `id:` of its text); undefined for a handset's text. */
function receiptedId(body: Buffer): string | undefined {
  let at = cString(body, 0).next + 2; // service_type, source TON and NPI
  at = cString(body, at).next + 2; // source_addr, destination TON and NPI
  at = cString(body, at).next; // destination_addr
  const esmClass = body[at] ?? 0;
  if ((esmClass & 0x3c) !== 0x04) {
    return undefined;
  }
  at += 3; // esm_class, protocol_id, priority_flag
  at = cString(body, at).next; // schedule_delivery_time
  at = cString(body, at).next + 4; // validity_period, registered_delivery … sm_default_msg_id
  const smLength = body[at] ?? 0;
  const text = body.toString('latin1', at + 1, at + 1 + smLength);
  for (let tlv = at + 1 + smLength; tlv + 4 <= body.length;) {
    const tag = body.readUInt16BE(tlv);
    const length = body.readUInt16BE(tlv + 2);
    if (tag === RECEIPTED_MESSAGE_ID) {
      return cString(body.subarray(tlv + 4, tlv + 4 + length), 0).value;
    }
    tlv += 4 + length;
  }
  return /\bid:(\S+)/.exec(text)?.[1];
}
