--[[
  Counts one credential attempt of a source, unless it is already at the limit: then the attempt
  is refused uncompared and not counted (it told nothing). The check and the count are one step,
  so parallel attempts cannot all pass it. A new count gets the window; a failure restarts it.

  Input:
    KEYS[1] the source's count

    ARGV[1] failed attempts allowed
    ARGV[2] window, ms

  Output:
    ms to wait when at the limit, else 0 (counted)
]]
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then
  return math.max(redis.call('PTTL', KEYS[1]), 1)
end
redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
