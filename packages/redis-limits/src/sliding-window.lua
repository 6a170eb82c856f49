--[[
  Counts a hit in a sliding window, and records it only if the limit allows it: the count and
  the record are one atomic step, so parallel hits cannot all pass.

  Input:
    KEYS[1] the window's sorted set

    ARGV[1] now, ms
    ARGV[2] window, ms
    ARGV[3] limit
    ARGV[4] member that records this hit

  Output:
    {1, hits left} when allowed
    {0, ms until the oldest hit leaves the window} when refused
]]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + tonumber(ARGV[2]) - tonumber(ARGV[1])}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, tonumber(ARGV[3]) - count - 1}
