import { AppError } from '@outband/errors';
import type { Channel, NumberWarning } from '@outband/contracts';
import { CircuitBreaker } from '../platform/circuit-breaker';
import { NetworkApiError, type NetworkSignals } from './network-signals';

/** What a merchant does about a number whose SIM changed, or that was ported, within its window. */
export type SimSwapAction = 'off' | 'refuse' | 'reverse' | 'warn';

/** What the network said of a number: nothing changed, a new SIM, a port, or no answer in time. */
export type NumberSignal = 'clear' | 'swapped' | 'ported' | 'unknown';

export interface NumberCheckOptions {
  /** The most a start waits for the network's answers; past it the code goes out, marked `unknown`. */
  budgetMs: number;
  /** The installation's action and window for merchants without their own. */
  action: SimSwapAction;
  hours: number;
  breakerThreshold: number;
  breakerOpenMs: number;
  /** Each network API call: `sim-swap` or `mnp`, its outcome (`ok`, `not_applicable`, `timeout`, `error`, `paused`), seconds. */
  observe?: (api: string, outcome: string, seconds: number) => void;
  /** Each decision: what the network said and what was done. */
  decided?: (signal: NumberSignal, action: string) => void;
}

/** What a start may go on with: the decision as it is recorded, and a warning for the merchant. */
export interface NumberCheck {
  /** `signal:action` (`clear:sent`, `swapped:warned`, `unknown:sent` …), on the records of the start. */
  decision: string;
  warning?: { code: NumberWarning; withinHours: number };
}

/**
 * Asks the operator's network, before a code goes to a mobile number, whether its SIM changed
 * or it was ported within the merchant's window, and applies the merchant's action: refuse, ask
 * for the reverse channel, or send and warn. A slow or failing network API never holds a code
 * beyond the budget: the code goes out and the record says `unknown`.
 */
export class NumberChecks {
  private readonly breakers: Record<'sim-swap' | 'mnp', CircuitBreaker>;

  constructor(
    private readonly signals: NetworkSignals,
    private readonly o: NumberCheckOptions,
  ) {
    this.breakers = {
      'sim-swap': new CircuitBreaker('the SIM swap API', o.breakerThreshold, o.breakerOpenMs),
      mnp: new CircuitBreaker('the number portability lookup', o.breakerThreshold, o.breakerOpenMs),
    };
  }

  /** Throws `SIM_RECENTLY_SWAPPED`, `NUMBER_RECENTLY_PORTED` or `REVERSE_CHANNEL_REQUIRED` when the policy refuses. */
  async check(
    phoneNumber: string,
    policy: { simSwapAction: SimSwapAction | null; simSwapHours: number | null },
    channel: Channel,
    now: Date,
  ): Promise<NumberCheck | undefined> {
    const action = policy.simSwapAction ?? this.o.action;
    const hours = policy.simSwapHours ?? this.o.hours;
    const { simSwapped, portedAt } = this.signals;
    if (action === 'off' || (!simSwapped && !portedAt)) {
      return undefined;
    }
    const budget = AbortSignal.timeout(this.o.budgetMs);
    const since = now.getTime() - hours * 3600 * 1000;
    const [swapped, ported] = await Promise.all([
      simSwapped ? this.ask('sim-swap', () => simSwapped(phoneNumber, hours, budget), budget) : false,
      portedAt
        ? this.ask(
            'mnp',
            async () => {
              const at = await portedAt(phoneNumber, budget);
              return at === undefined ? undefined : at !== null && at.getTime() >= since;
            },
            budget,
          )
        : false,
    ]);
    const signal: NumberSignal =
      swapped === true ? 'swapped' : ported === true ? 'ported' : swapped === undefined || ported === undefined ? 'unknown' : 'clear';
    if (signal !== 'swapped' && signal !== 'ported') {
      this.o.decided?.(signal, 'sent');
      return { decision: `${signal}:sent` };
    }
    const code = signal === 'swapped' ? 'SIM_RECENTLY_SWAPPED' : 'NUMBER_RECENTLY_PORTED';
    const what = signal === 'swapped' ? "this number's SIM card changed" : 'this number moved to another operator';
    if (action === 'refuse') {
      this.o.decided?.(signal, 'refused');
      throw new AppError('forbidden', code, `${what} within the last ${hours} hours: no code is sent to it for now`, {
        details: { withinHours: hours },
      });
    }
    if (action === 'reverse' && channel !== 'reverse-sms') {
      this.o.decided?.(signal, 'reverse_required');
      throw new AppError(
        'forbidden',
        'REVERSE_CHANNEL_REQUIRED',
        `${what} within the last ${hours} hours: start again with channel reverse-sms`,
        {
          details: { reason: code, withinHours: hours },
        },
      );
    }
    const done = action === 'reverse' ? 'reverse' : 'warned';
    this.o.decided?.(signal, done);
    return { decision: `${signal}:${done}`, warning: { code, withinHours: hours } };
  }

  /** One network call within the budget and behind its breaker; undefined when it gave no answer. */
  private async ask(api: 'sim-swap' | 'mnp', call: () => Promise<boolean | undefined>, budget: AbortSignal): Promise<boolean | undefined> {
    const started = performance.now();
    try {
      const answer = await this.breakers[api].run(call);
      this.o.observe?.(api, answer === undefined ? 'not_applicable' : 'ok', (performance.now() - started) / 1000);
      return answer;
    } catch (e) {
      const outcome = budget.aborted ? 'timeout' : e instanceof NetworkApiError || e instanceof TypeError ? 'error' : 'paused';
      this.o.observe?.(api, outcome, (performance.now() - started) / 1000);
      return undefined;
    }
  }
}

/** The merchant's warning a recorded decision carries: only a flagged number the code still went to. */
export function numberWarningOf(decision: string | null | undefined): NumberWarning | undefined {
  const [signal, action] = (decision ?? '').split(':');
  if (action !== 'warned' && action !== 'reverse') {
    return undefined;
  }
  return signal === 'swapped' ? 'SIM_RECENTLY_SWAPPED' : signal === 'ported' ? 'NUMBER_RECENTLY_PORTED' : undefined;
}
