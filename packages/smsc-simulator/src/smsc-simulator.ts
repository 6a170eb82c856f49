import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as smpp from 'smpp';
import type { Logger } from '@outband/observability';
import { Inbox } from './inbox';

export interface SmscAccount {
  systemId: string;
  password: string;
}

export interface SmscSimulatorOptions {
  /** SMPP port; 0 picks a free one. @defaultValue 2775 */
  smppPort?: number;
  /** HTTP port of the inbox API; 0 picks a free one. @defaultValue 8025 */
  httpPort?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** Who may bind. */
  accounts: SmscAccount[];
  /** Delay before a delivery receipt is sent. @defaultValue 200 */
  receiptDelayMs?: number;
  /** Final state reported in receipts (DELIVRD, UNDELIV, EXPIRED, REJECTD). @defaultValue 'DELIVRD' */
  receiptStat?: string;
  /** Leaves this many first submit_sm unanswered, as a stuck SMSC does. @defaultValue 0 */
  silentSubmits?: number;
  logger: Logger;
}

export interface SmscSimulator {
  smppPort: number;
  httpPort: number;
  inbox: Inbox;
  /** Closes every SMPP link (the SMSC "drops" them); binds may come back. */
  dropLinks(): void;
  stop(): Promise<void>;
}

const ESME_RINVBNDSTS = 0x04;
const ESME_RINVSYSID = 0x0f;
const ESME_RINVPASWD = 0x0e;
const ESME_RALYBND = 0x05;

const messageStates: Record<string, number> = { DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, REJECTD: 8, UNKNOWN: 7 };

interface BindState {
  systemId: string;
  mode: 'transceiver' | 'transmitter' | 'receiver';
}

/**
 * An SMSC for development, demos and tests, on the `smpp` package's server side. It checks
 * binds, answers submit_sm with message ids, sends receipts, and keeps an inbox per handset
 * that `GET /inbox/:address` shows.
 */
export async function startSmscSimulator(o: SmscSimulatorOptions): Promise<SmscSimulator> {
  const inbox = new Inbox();
  const bound = new Map<smpp.Session, BindState>();
  const timers = new Set<NodeJS.Timeout>();
  let nextId = 0x10000;
  let silent = o.silentSubmits ?? 0;

  const server = smpp.createServer((session) => {
    session.on('error', (err: Error) => {
      o.logger.warn({ err: { message: err.message } }, 'SMSC session error');
      session.destroy();
    });
    session.on('close', () => bound.delete(session));
    for (const mode of ['transceiver', 'transmitter', 'receiver'] as const) {
      session.on(`bind_${mode}`, (pdu: smpp.PDU) => {
        const account = o.accounts.find((a) => a.systemId === pdu.system_id);
        const status = bound.has(session)
          ? ESME_RALYBND
          : !account
            ? ESME_RINVSYSID
            : account.password !== pdu.password
              ? ESME_RINVPASWD
              : 0;
        session.send(pdu.response({ command_status: status, system_id: 'OUTBANDSIM' }));
        if (status === 0 && account) {
          bound.set(session, { systemId: account.systemId, mode });
        }
      });
    }
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      bound.delete(session);
      session.close();
    });
    session.on('submit_sm', (pdu: smpp.PDU) => {
      const state = bound.get(session);
      if (!state || state.mode === 'receiver') {
        session.send(pdu.response({ command_status: ESME_RINVBNDSTS }));
        return;
      }
      if (silent > 0) {
        silent -= 1;
        return;
      }
      const messageId = (nextId++).toString(16);
      const message = {
        messageId,
        from: typeof pdu.source_addr === 'string' ? pdu.source_addr : '',
        to: Inbox.normalize(typeof pdu.destination_addr === 'string' ? pdu.destination_addr : ''),
        text: decodeText(pdu.short_message) || decodeText(pdu.message_payload),
        dataCoding: typeof pdu.data_coding === 'number' ? pdu.data_coding : 0,
        receivedAt: new Date().toISOString(),
      };
      session.send(pdu.response({ message_id: messageId }));
      inbox.add(message);
      const wantsReceipt = typeof pdu.registered_delivery === 'number' && (pdu.registered_delivery & 0x03) !== 0;
      if (wantsReceipt) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          sendReceipt(state.systemId, message);
        }, o.receiptDelayMs ?? 200);
        timers.add(timer);
      }
    });
  });

  function sendReceipt(systemId: string, m: { messageId: string; from: string; to: string; text: string }): void {
    const stat = o.receiptStat ?? 'DELIVRD';
    const target = [...bound.entries()].find(([, s]) => s.systemId === systemId && s.mode !== 'transmitter')?.[0];
    if (!target) {
      return; // no receiver bound: a real SMSC would queue it; the simulator drops it
    }
    const date = formatDate(new Date());
    const text = `id:${m.messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${date} done date:${date} stat:${stat} err:000 text:${m.text.slice(0, 20)}`;
    for (const item of inbox.list(m.to)) {
      if (item.messageId === m.messageId) {
        item.receipt = stat;
      }
    }
    target.deliver_sm({
      source_addr: m.to.replace(/^\+/, ''),
      destination_addr: m.from,
      esm_class: 0x04,
      data_coding: 0,
      short_message: text,
      receipted_message_id: m.messageId,
      message_state: messageStates[stat] ?? 7,
    });
  }

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const match = /^\/inbox\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1]) {
      const address = decodeURIComponent(match[1]);
      send(200, { address: Inbox.normalize(address), messages: inbox.list(address) });
    } else if (req.method === 'GET' && url.pathname === '/inbox') {
      send(200, { addresses: inbox.addresses(), count: inbox.count() });
    } else if (req.method === 'DELETE' && url.pathname === '/inbox') {
      inbox.clear();
      send(204, null);
    } else if (req.method === 'GET' && url.pathname === '/healthz') {
      send(200, { status: 'ok', binds: bound.size });
    } else {
      send(404, { title: 'not found' });
    }
  });

  const host = o.host ?? '127.0.0.1';
  await listen(server, o.smppPort ?? 2775, host);
  await listen(http, o.httpPort ?? 8025, host);
  const smppPort = (server.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;
  o.logger.info({ smppPort, httpPort }, 'SMSC simulator listening');

  return {
    smppPort,
    httpPort,
    inbox,
    dropLinks() {
      for (const s of [...server.sessions]) {
        s.destroy();
      }
    },
    async stop() {
      timers.forEach((t) => clearTimeout(t));
      for (const s of [...server.sessions]) {
        s.destroy();
      }
      await Promise.all([close(server), close(http)]);
    },
  };
}

function decodeText(field: unknown): string {
  if (typeof field === 'string') {
    return field;
  }
  if (Buffer.isBuffer(field)) {
    return field.toString('latin1');
  }
  if (field && typeof field === 'object' && 'message' in field) {
    return decodeText(field.message);
  }
  return '';
}

function formatDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

function listen(server: smpp.Server | HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

function close(server: smpp.Server | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
