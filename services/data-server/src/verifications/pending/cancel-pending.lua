--[[
  Ends a pending verification (canceled, its session closed) and leaves the state it ends in
  under the final marker.

  Input:
    KEYS[1] pending hash
    KEYS[2] final marker

    ARGV[1] final marker's TTL, s
    ARGV[2] the state it ends in

  Output:
    the state it ends in; when it was no longer pending, the final state it had (or 'expired')
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])
  return ARGV[2]
end
return redis.call('GET', KEYS[2]) or 'expired'
