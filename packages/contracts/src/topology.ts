/** Every exchange, queue and routing key on the bus, in one place. A prefix isolates deployments. */
export function busNames(prefix = 'outband') {
  return {
    /** Topic exchange for events and work between services. */
    eventsExchange: `${prefix}.events`,
    /** Dead-letter exchange: each queue's rejects land in `<queue>.dead`. */
    deadExchange: `${prefix}.dead`,
    /** Requests the information server sends to the data server (request/reply). */
    dataRpcQueue: `${prefix}.data.rpc`,
    /** Messages the data server asks the message server to deliver. */
    messageSendQueue: `${prefix}.message.send`,
    /** Delivery state changes the message server reports back. */
    messageStatusQueue: `${prefix}.data.message-status`,
    /** Messages sent from handsets (the reverse channel consumes them). */
    inboundQueue: `${prefix}.data.inbound`,
    routingKeys: {
      messageSend: 'message.send',
      messageStatus: 'message.status',
      messageInbound: 'message.inbound',
    },
  } as const;
}

export type BusNames = ReturnType<typeof busNames>;
