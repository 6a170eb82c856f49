import { AppError } from '@outband/errors';
import { busTopics, checkTopicBody, isBusTopic, type BusEvent, type BusNames, type BusTopic } from '@outband/contracts';
import type { PublishOptions } from './bus-options';

/** What `publish` takes: an exchange and a routing key, or an event's topic alone. */
export type PublishArgs =
  | [exchange: string, routingKey: string, body: object, options?: PublishOptions]
  | [topic: BusEvent, body: object, options?: PublishOptions];

/** A publish resolved to its exchange and routing key, its body checked. */
export interface CheckedPublish {
  exchange: string;
  routingKey: string;
  body: object;
  options: PublishOptions;
}

/**
 * Resolves `publish`'s arguments and refuses, before anything is serialised, a body its topic's
 * schema does not accept: a sender's bug fails at the sender instead of in a dead-letter queue.
 */
export function checkedPublish(names: BusNames, args: PublishArgs): CheckedPublish {
  const [exchange, routingKey, body, options = {}] = byTopic(args) ? [names.eventsExchange, ...args] : args;
  const topic = topicOf(names, exchange, routingKey);
  if (topic !== undefined) {
    checkTopicBody(topic, body);
  }
  return { exchange, routingKey, body, options };
}

function byTopic(args: PublishArgs): args is [topic: BusEvent, body: object, options?: PublishOptions] {
  return typeof args[1] !== 'string';
}

/**
 * The topic a publish goes to. On the events exchange every routing key must be an event of the
 * registry (anything else would be dropped unrouted); on the default exchange a work queue names
 * its topic. Other destinations (reply queues) have none.
 */
function topicOf(names: BusNames, exchange: string, routingKey: string): BusTopic | undefined {
  if (exchange === names.eventsExchange) {
    if (!isBusTopic(routingKey) || busTopics[routingKey].kind !== 'event') {
      throw new AppError('internal', 'BUS_MESSAGE_INVALID', `no bus event is published as '${routingKey}', not sent`, {
        retryable: false,
      });
    }
    return routingKey;
  }
  if (exchange === '') {
    return (Object.keys(busTopics) as BusTopic[]).find((t) => names[busTopics[t].queue] === routingKey);
  }
  return undefined;
}
