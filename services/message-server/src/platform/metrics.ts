import { Counter, Gauge, type Registry } from '@outband/observability';

/** What the bind gauges read of one SMSC connection's pool. */
export interface BindPoolState {
  readonly up: number;
  readonly held: number;
  readonly replicas: number;
  readonly inFlight: number[];
}

/**
 * The message server's metrics: bounded labels only (results, states, and the route and SMSC
 * ids of the configuration; never an address or a message id). The gauges read `pools` when
 * Prometheus scrapes, so they always tell the state of now.
 */
export function messageServerMetrics(registers: Registry, pools: ReadonlyMap<string, BindPoolState>) {
  const r = [registers];
  return {
    outcomes: new Counter({
      name: 'outband_messages_total',
      help: 'Messages by outcome of a delivery try',
      labelNames: ['result'],
      registers: r,
    }),
    throttles: new Counter({
      name: 'outband_smpp_throttled_total',
      help: 'Throttling answers by SMSC',
      labelNames: ['smsc'],
      registers: r,
    }),
    receiptStates: new Counter({
      name: 'outband_receipts_total',
      help: 'Delivery receipts received, by the state they tell (delivered, failed, expired, intermediate)',
      labelNames: ['state'],
      registers: r,
    }),
    receiptsGivenUp: new Counter({
      name: 'outband_receipts_given_up_total',
      help: 'Delivery receipts whose submit was not found within the hold, by SMSC connection and outcome (resend: answered with an error for the SMSC to send again; dropped: acknowledged after repeated holds, as it would never match)',
      labelNames: ['smsc', 'outcome'],
      registers: r,
    }),
    submitTries: new Counter({
      name: 'outband_submits_total',
      help: 'submit_sm tries by route and SMSC answer (ok, or the command status such as ESME_RTHROTTLED)',
      labelNames: ['route', 'status'],
      registers: r,
    }),
    bindsUp: new Gauge({
      name: 'outband_smpp_binds_up',
      help: 'SMPP binds up, by SMSC connection',
      labelNames: ['smsc'],
      registers: r,
      collect() {
        pools.forEach((p, id) => this.set({ smsc: id }, p.up));
      },
    }),
    bindsHeld: new Gauge({
      name: 'outband_smpp_binds_held',
      help: 'SMPP bind slots of the account this replica holds (leased in Redis when replicas share the account), by SMSC connection',
      labelNames: ['smsc'],
      registers: r,
      collect() {
        pools.forEach((p, id) => this.set({ smsc: id }, p.held));
      },
    }),
    accountReplicas: new Gauge({
      name: 'outband_smpp_account_replicas',
      help: 'Message server replicas sharing the SMSC account, as this one last saw (1 when it is alone), by SMSC connection',
      labelNames: ['smsc'],
      registers: r,
      collect() {
        pools.forEach((p, id) => this.set({ smsc: id }, p.replicas));
      },
    }),
    windowInFlight: new Gauge({
      name: 'outband_smpp_window_in_flight',
      help: 'Unanswered submit_sm, by SMSC connection and bind (0, 1, …)',
      labelNames: ['smsc', 'bind'],
      registers: r,
      collect() {
        pools.forEach((p, id) => p.inFlight.forEach((n, bind) => this.set({ smsc: id, bind: String(bind) }, n)));
      },
    }),
  };
}
