import * as smpp from 'smpp';
import { percentile } from './stats';

export interface RawResult {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * The ceiling: a bare `smpp` client, one bind, `window` submits outstanding, against the same
 * simulator. Nothing else happens per message.
 */
export async function rawSubmitRate(port: number, window: number, count: number, systemId = 'outband'): Promise<RawResult> {
  const session = smpp.connect({ url: `smpp://127.0.0.1:${port}`, noDelay: true });
  session.on('deliver_sm', (pdu: smpp.PDU) => session.send(pdu.response()));
  await new Promise<void>((resolve, reject) => {
    session.on('connect', () => {
      session.bind_transceiver({ system_id: systemId, password: 'secret' }, (pdu) =>
        pdu.command_status === 0 ? resolve() : reject(new Error('bind refused')),
      );
    });
    session.on('error', reject);
  });
  const latencies: number[] = [];
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    let done = 0;
    const next = () => {
      while (sent < count && sent - done < window) {
        const t = performance.now();
        sent += 1;
        session.submit_sm(
          {
            destination_addr: '33699000000',
            source_addr: 'Bench',
            registered_delivery: 1,
            data_coding: 0,
            short_message: `Your Outband login code is ${String(sent).padStart(6, '0')}.`,
          },
          () => {
            latencies.push(performance.now() - t);
            done += 1;
            if (done === count) {
              resolve();
            } else {
              next();
            }
          },
        );
      }
    };
    next();
  });
  const seconds = (performance.now() - started) / 1000;
  session.destroy();
  return { perSecond: count / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}
