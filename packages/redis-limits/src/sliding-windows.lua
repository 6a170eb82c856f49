--[[
  Counts a hit in several sliding windows of one key (a merchant's second and day), and records
  it in all of them only if every one allows it: a hit one window refuses counts in none.

  Input:
    KEYS[1..n] each window's sorted set (one hash tag: they live on one node)

    ARGV[1] now, ms
    ARGV[2] member that records this hit
    ARGV[1 + 2i] window i, ms
    ARGV[2 + 2i] limit of window i

  Output:
    {1, hits left in the tightest window} when allowed
    {0, ms until the oldest hit leaves the first full window, its index} when refused
]]
local now = tonumber(ARGV[1])
local left = nil
for i = 1, #KEYS do
  local window = tonumber(ARGV[1 + 2 * i])
  local limit = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    return {0, tonumber(oldest[2]) + window - now, i}
  end
  if left == nil or limit - count - 1 < left then
    left = limit - count - 1
  end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1 + 2 * i]))
end
return {1, left}
