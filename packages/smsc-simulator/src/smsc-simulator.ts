import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as smpp from 'smpp';
import { encodeText, Reassembler, textOfSmppFields } from '@outband/sms-codec';
import { defaultBehaviour, injectedError, pickOutcome, type SmscBehaviour } from './behaviour';
import { startHttpApi } from './http-api';
import { Inbox } from './inbox';
import { receiptBind } from './receipt-binds';
import { receiptFields } from './receipt-fields';
import type { SmscSimulator, SmscSimulatorOptions, SmscStats } from './simulator-types';

const status = { RINVBNDSTS: 0x04, RALYBND: 0x05, RBINDFAIL: 0x0d, RINVPASWD: 0x0e, RINVSYSID: 0x0f, RMSGQFUL: 0x14, RTHROTTLED: 0x58 };

interface BindState {
  systemId: string;
  mode: 'transceiver' | 'transmitter' | 'receiver';
  outstanding: number;
  second: number;
  inSecond: number;
}

/**
 * An SMSC for development, demos and tests, on the `smpp` package's server side: it checks
 * binds, answers submit_sm, throttles, enforces a window, injects errors, sends receipts and
 * mobile-originated messages, and keeps an inbox per handset (`GET /inbox/:address`).
 */
export async function startSmscSimulator(o: SmscSimulatorOptions): Promise<SmscSimulator> {
  let behaviour: SmscBehaviour = { ...defaultBehaviour, ...o.behaviour };
  const inbox = new Inbox();
  const bound = new Map<smpp.Session, BindState>();
  const timers = new Set<NodeJS.Timeout>();
  const reassembler = new Reassembler();
  const partIds = new Map<string, string[]>();
  const heldReceipts = new Map<string, Array<() => void>>();
  // Receipts each bind has not answered yet, sent again if it closes first.
  const awaitingAnswer = new Map<smpp.Session, Set<() => void>>();
  const counts: Omit<SmscStats, 'binds'> = {
    submits: 0,
    accepted: 0,
    throttled: 0,
    windowRefusals: 0,
    refused: 0,
    silent: 0,
    maxOutstanding: 0,
    receipts: 0,
    receiptResends: 0,
    mo: 0,
    bindAttempts: 0,
    bindsOverLimit: 0,
    peakAccountBinds: 0,
    accountThrottled: 0,
    peakAccountSecond: 0,
  };
  // Submits accepted per account in the current second, for account rates.
  const accountSeconds = new Map<string, { second: number; n: number }>();
  const bindsOf = (systemId: string) => [...bound.values()].filter((b) => b.systemId === systemId).length;
  let nextId = 0x10000;
  let receiptTurn = 0;

  let stopped = false;
  const later = (ms: number, fn: () => void) => {
    if (stopped) {
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const server = smpp.createServer((session) => {
    session.on('error', (err: Error) => {
      o.logger.warn({ err: { message: err.message } }, 'SMSC session error');
      session.destroy();
    });
    session.on('close', () => {
      bound.delete(session);
      const unanswered = awaitingAnswer.get(session);
      awaitingAnswer.delete(session);
      unanswered?.forEach((resend) => later(behaviour.receiptRetryMs, resend));
    });
    for (const mode of ['transceiver', 'transmitter', 'receiver'] as const) {
      session.on(`bind_${mode}`, (pdu: smpp.PDU) => {
        counts.bindAttempts += 1;
        const account = o.accounts.find((a) => a.systemId === pdu.system_id);
        const overLimit = account?.maxBinds !== undefined && bindsOf(account.systemId) >= account.maxBinds;
        const code = bound.has(session)
          ? status.RALYBND
          : Date.now() < behaviour.refuseBindsUntil
            ? status.RBINDFAIL
            : !account
              ? status.RINVSYSID
              : account.password !== pdu.password
                ? status.RINVPASWD
                : overLimit
                  ? status.RBINDFAIL
                  : 0;
        if (code === status.RBINDFAIL && overLimit && Date.now() >= behaviour.refuseBindsUntil) {
          counts.bindsOverLimit += 1;
        }
        session.send(pdu.response({ command_status: code, system_id: 'OUTBANDSIM' }));
        if (code === 0 && account) {
          bound.set(session, { systemId: account.systemId, mode, outstanding: 0, second: 0, inSecond: 0 });
          counts.peakAccountBinds = Math.max(counts.peakAccountBinds, bindsOf(account.systemId));
          const held = mode === 'transmitter' ? [] : (heldReceipts.get(account.systemId) ?? []);
          heldReceipts.delete(account.systemId);
          held.forEach((send) => later(10, send));
        }
      });
    }
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      bound.delete(session);
      session.close();
    });
    session.on('submit_sm', (pdu: smpp.PDU) => onSubmit(session, pdu));
  });

  function onSubmit(session: smpp.Session, pdu: smpp.PDU): void {
    const state = bound.get(session);
    if (!state || state.mode === 'receiver') {
      session.send(pdu.response({ command_status: status.RINVBNDSTS }));
      return;
    }
    counts.submits += 1;
    if (behaviour.silentSubmits > 0) {
      behaviour.silentSubmits -= 1;
      counts.silent += 1;
      return;
    }
    if (behaviour.window > 0 && state.outstanding >= behaviour.window) {
      counts.windowRefusals += 1;
      session.send(pdu.response({ command_status: status.RMSGQFUL }));
      return;
    }
    const second = Math.floor(Date.now() / 1000);
    if (state.second !== second) {
      state.second = second;
      state.inSecond = 0;
    }
    if (behaviour.maxSubmitsPerSecond > 0 && state.inSecond >= behaviour.maxSubmitsPerSecond) {
      counts.throttled += 1;
      session.send(pdu.response({ command_status: status.RTHROTTLED }));
      return;
    }
    const limit = o.accounts.find((a) => a.systemId === state.systemId)?.maxSubmitsPerSecond;
    const ofAccount = accountSeconds.get(state.systemId);
    const inAccount = ofAccount?.second === second ? ofAccount : { second, n: 0 };
    if (limit !== undefined && inAccount.n >= limit) {
      counts.throttled += 1;
      counts.accountThrottled += 1;
      session.send(pdu.response({ command_status: status.RTHROTTLED }));
      return;
    }
    state.inSecond += 1;
    inAccount.n += 1;
    accountSeconds.set(state.systemId, inAccount);
    counts.peakAccountSecond = Math.max(counts.peakAccountSecond, inAccount.n);
    const to = Inbox.normalize(typeof pdu.destination_addr === 'string' ? pdu.destination_addr : '');
    const refusal = injectedError(behaviour.errorRules, to);
    if (refusal !== undefined) {
      counts.refused += 1;
      session.send(pdu.response({ command_status: refusal }));
      return;
    }
    const id = nextId++;
    const messageId = behaviour.messageIds === 'decimal' ? String(id) : id.toString(16);
    state.outstanding += 1;
    counts.maxOutstanding = Math.max(counts.maxOutstanding, state.outstanding);
    const answer = () => {
      state.outstanding -= 1;
      counts.accepted += 1;
      session.send(pdu.response({ message_id: behaviour.messageIds === 'empty' ? '' : messageId }));
      record(pdu, to, messageId, state.systemId, session);
    };
    if (behaviour.responseDelayMs > 0) {
      later(behaviour.responseDelayMs, answer);
    } else {
      answer();
    }
  }

  function record(pdu: smpp.PDU, to: string, messageId: string, systemId: string, submitter: smpp.Session): void {
    const from = typeof pdu.source_addr === 'string' ? pdu.source_addr : '';
    const { text, concat } = textOfSmppFields(pdu.short_message, pdu.message_payload);
    const key = concat ? `${from}|${to}|${concat.reference}|${concat.total}` : '';
    if (concat) {
      partIds.set(key, [...(partIds.get(key) ?? []), messageId]);
    }
    const whole = reassembler.add(from, to, concat, text);
    if (whole !== undefined) {
      const ids = concat ? (partIds.get(key) ?? [messageId]) : [messageId];
      partIds.delete(key);
      inbox.add({
        messageIds: ids,
        messageId: ids[0] ?? messageId,
        from,
        to,
        text: whole,
        dataCoding: typeof pdu.data_coding === 'number' ? pdu.data_coding : 0,
        parts: ids.length,
        receivedAt: new Date().toISOString(),
      });
    }
    const wantsReceipt = typeof pdu.registered_delivery === 'number' && (pdu.registered_delivery & 0x03) !== 0;
    if (wantsReceipt) {
      later(behaviour.receiptDelayMs + Math.random() * behaviour.receiptJitterMs, () =>
        sendReceipt(systemId, submitter, messageId, from, to, text),
      );
    }
  }

  /** The binds that can receive, of one account or of any, oldest first. */
  function receivers(systemId?: string): smpp.Session[] {
    return [...bound.entries()]
      .filter(([, s]) => (systemId === undefined || s.systemId === systemId) && s.mode !== 'transmitter')
      .map(([session]) => session);
  }

  function sendReceipt(
    systemId: string,
    submitter: smpp.Session,
    messageId: string,
    from: string,
    to: string,
    text: string,
    resent?: { stat: string; tries: number },
  ): void {
    const tries = resent?.tries ?? 0;
    // As an SMSC's retry schedule ends, a receipt is given up after its tenth try.
    const again = (stat: string) => () => {
      if (tries < 10) {
        sendReceipt(systemId, submitter, messageId, from, to, text, { stat, tries: tries + 1 });
      }
    };
    const target = receiptBind(receivers(systemId), submitter, behaviour.receiptBinds, receiptTurn++);
    if (!target) {
      // No receiver bound: keep it, as an SMSC does, until the account binds again.
      const queue = heldReceipts.get(systemId) ?? [];
      queue.push(resent ? again(resent.stat) : () => sendReceipt(systemId, submitter, messageId, from, to, text));
      heldReceipts.set(systemId, queue);
      return;
    }
    const stat = resent?.stat ?? pickOutcome(behaviour.receiptOutcomes);
    const id = behaviour.receiptIds === 'decimal' ? String(parseInt(messageId, 16)) : messageId;
    if (resent) {
      counts.receiptResends += 1;
    } else {
      inbox.markReceipt(messageId, stat);
      counts.receipts += 1;
    }
    // Until the ESME answers it, the receipt is the SMSC's to deliver: an error or a link that
    // closes first sends it again, to whichever bind of the account can receive then.
    const resend = again(stat);
    const unanswered = awaitingAnswer.get(target) ?? new Set<() => void>();
    unanswered.add(resend);
    awaitingAnswer.set(target, unanswered);
    const answered = (response: smpp.PDU) => {
      unanswered.delete(resend);
      if (response.command_status !== 0) {
        later(behaviour.receiptRetryMs, resend);
      }
    };
    target.deliver_sm(receiptFields({ id, from, to, stat, text, at: new Date() }), answered);
  }

  function injectMo(mo: { from: string; to: string; text: string }): number {
    const target = receivers()[0];
    if (!target) {
      throw new Error('no bind can receive mobile-originated messages');
    }
    const encoded = encodeText(mo.text, { reference: randomInt(0, 256) });
    for (const part of encoded.parts) {
      target.deliver_sm({
        source_addr_ton: 1,
        source_addr_npi: 1,
        source_addr: mo.from.replace(/^\+/, ''),
        destination_addr: mo.to.replace(/^\+/, ''),
        esm_class: encoded.udh ? 0x40 : 0,
        data_coding: encoded.dataCoding,
        short_message: part,
      });
    }
    counts.mo += 1;
    return encoded.parts.length;
  }

  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.smppPort ?? 2775, host, () => resolve());
  });
  const simulator: SmscSimulator = {
    smppPort: (server.address() as AddressInfo).port,
    httpPort: 0,
    inbox,
    stats: () => ({ ...counts, binds: bound.size }),
    configure(changes) {
      behaviour = { ...behaviour, ...changes };
    },
    injectMo,
    dropLinks() {
      for (const s of [...server.sessions]) {
        s.destroy();
      }
    },
    async stop() {
      stopped = true;
      timers.forEach((t) => clearTimeout(t));
      for (const s of [...server.sessions]) {
        s.destroy();
      }
      await Promise.all([new Promise<void>((r) => server.close(() => r())), http.close()]);
    },
  };
  const http = await startHttpApi(simulator, o.httpPort ?? 8025, host, o.networkUrl);
  simulator.httpPort = http.port;
  o.logger.info({ smppPort: simulator.smppPort, httpPort: simulator.httpPort }, 'SMSC simulator listening');
  return simulator;
}
