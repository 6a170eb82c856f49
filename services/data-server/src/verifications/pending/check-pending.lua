--[[
  Checks a candidate code against a pending verification. One script, so a check is atomic: no
  two checks can both use one code or both miss a count. A match, a lapsed lifetime or the last
  allowed miss ends the verification and leaves its final state under the final marker.

  Input:
    KEYS[1] pending hash
    KEYS[2] final marker

    ARGV[1] candidate MAC
    ARGV[2] binding hash
    ARGV[3] now, ms
    ARGV[4] final marker's TTL, s

  Output:
    {'approved', '', attempts, 0}
    {'mismatch', 'code' or 'binding' (what did not match), attempts, attempts left}
    {'burned', 'code' or 'binding', attempts, 0} the last attempt missed
    {'final', final state or 'expired', 0, 0} no longer pending
]]
--- @include "ct-equal"
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'final', redis.call('GET', KEYS[2]) or 'expired', 0, 0}
end
local h = redis.call('HMGET', KEYS[1], 'mac', 'binding', 'attempts', 'maxAttempts', 'expiresAtMs')
if tonumber(ARGV[3]) >= tonumber(h[5]) then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], 'expired', 'EX', ARGV[4])
  return {'final', 'expired', 0, 0}
end
local bindingOk = ct_equal(h[2], ARGV[2])
local macOk = ct_equal(h[1], ARGV[1])
local attempts = tonumber(h[3])
if bindingOk and macOk then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], 'approved', 'EX', ARGV[4])
  return {'approved', '', attempts, 0}
end
attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local left = tonumber(h[4]) - attempts
local which = bindingOk and 'code' or 'binding'
if left <= 0 then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], 'max_attempts_reached', 'EX', ARGV[4])
  return {'burned', which, attempts, 0}
end
return {'mismatch', which, attempts, left}
