import { Counter, Histogram, type Registry } from '@outband/observability';

const latency = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const delivery = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** The data server's metrics: bounded labels only (never an address, an id or a merchant). */
export function dataServerMetrics(registers: Registry) {
  const r = [registers];
  return {
    started: new Counter({
      name: 'outband_verifications_started_total',
      help: 'Verifications started, by purpose and channel',
      labelNames: ['purpose', 'channel'],
      registers: r,
    }),
    finished: new Counter({
      name: 'outband_verifications_finished_total',
      help: 'Verifications that reached a final status, by purpose, channel and status',
      labelNames: ['purpose', 'channel', 'status'],
      registers: r,
    }),
    checks: new Counter({ name: 'outband_verification_checks_total', help: 'Checks by outcome', labelNames: ['outcome'], registers: r }),
    checkSeconds: new Histogram({
      name: 'outband_verification_check_duration_seconds',
      help: 'Time to answer a check, in the data server',
      buckets: latency,
      registers: r,
    }),
    codeSubmitSeconds: new Histogram({
      name: 'outband_code_submit_seconds',
      help: "From the merchant's request to the SMSC accepting the code's submit_sm",
      buckets: delivery,
      registers: r,
    }),
    codeDeliverySeconds: new Histogram({
      name: 'outband_code_delivery_seconds',
      help: "From the merchant's request to the handset's delivery receipt",
      buckets: delivery,
      registers: r,
    }),
    deliveryOutcomes: new Counter({
      name: 'outband_delivery_outcomes_total',
      help: 'Messages that reached a final delivery state (delivered, failed, expired)',
      labelNames: ['state'],
      registers: r,
    }),
    inbound: new Counter({
      name: 'outband_inbound_messages_total',
      help: 'Mobile-originated messages received, by what they did on the reverse channel',
      labelNames: ['outcome'],
      registers: r,
    }),
    abuseAlerts: new Counter({
      name: 'outband_abuse_alerts_total',
      help: 'Weak abuse signals reported, not enforced (a burst to one range across merchants)',
      labelNames: ['kind'],
      registers: r,
    }),
    sendRefusals: new Counter({
      name: 'outband_send_refusals_total',
      help: 'Codes refused before any SMS, by reason (invalid or premium number, country, rate, blocked range)',
      labelNames: ['reason'],
      registers: r,
    }),
    webhookAttempts: new Counter({
      name: 'outband_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome (delivered, retry, failed)',
      labelNames: ['outcome'],
      registers: r,
    }),
    webhookLagSeconds: new Histogram({
      name: 'outband_webhook_delivery_lag_seconds',
      help: 'From the event to its delivery to the merchant (retries included)',
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200, 86_400],
      registers: r,
    }),
    outboxRelayed: new Counter({
      name: 'outband_outbox_relayed_total',
      help: 'message.send handled by the outbox relay: published (its first publish failed), expired (dropped) or refused (by the bus: set aside)',
      labelNames: ['outcome'],
      registers: r,
    }),
    paymentStates: new Counter({
      name: 'outband_payment_transitions_total',
      help: 'Payments entering each state',
      labelNames: ['state'],
      registers: r,
    }),
    numberChecks: new Counter({
      name: 'outband_number_checks_total',
      help: "Numbers checked with the operator's network before a code: what it said (clear, swapped, ported, unknown) and what was done",
      labelNames: ['signal', 'action'],
      registers: r,
    }),
    networkCalls: new Histogram({
      name: 'outband_network_api_duration_seconds',
      help: "Calls to the operator's network APIs (sim-swap, mnp), by outcome (ok, not_applicable, timeout, error, paused)",
      labelNames: ['api', 'outcome'],
      buckets: latency,
      registers: r,
    }),
    bankCalls: new Histogram({
      name: 'outband_bank_call_duration_seconds',
      help: 'Calls to the bank, by operation and outcome (retries included)',
      labelNames: ['operation', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    }),
    ledgerBookings: new Counter({
      name: 'outband_ledger_bookings_total',
      help: 'Ledger entries booked, by register and kind (a retried booking counts again; the ledger keeps one)',
      labelNames: ['register', 'kind'],
      registers: r,
    }),
  };
}

export type DataServerMetrics = ReturnType<typeof dataServerMetrics>;
