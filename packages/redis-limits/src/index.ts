export { LuaScript } from './lua-script';
export { RateLimiter } from './rate-limiter';
export type { RateDecision } from './rate-limiter';
