-- Takes up to ARGV[3] tokens from an SMSC account's shared token bucket (Redis's clock).
-- KEYS[1]: the bucket (hash: tokens, at)
-- ARGV[1]: rate (tokens a second); ARGV[2]: burst (most tokens saved up); ARGV[3]: tokens wanted
-- Returns { tokens granted, ms until the next token when none was }.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate, burst, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])

local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(saved[1]) or burst
local at = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)

local got = math.min(want, math.floor(tokens))
tokens = tokens - got
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)

local wait = 0
if got == 0 then
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
return { got, wait }
