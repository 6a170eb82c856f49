import type { Channel } from '@outband/contracts';

/** The channels whose code comes from an authenticator the person enrolled, not from a text. */
export type FactorChannel = 'totp' | 'ocra-app';

export function isFactorChannel(channel: Channel | undefined | null): channel is FactorChannel {
  return channel === 'totp' || channel === 'ocra-app';
}
