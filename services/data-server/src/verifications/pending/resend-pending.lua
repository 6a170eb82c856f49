--[[
  Replaces the code of a pending verification (a resend): only for the same binding, within the
  number of sends allowed and after the cool-down. Its attempts and lifetime stay as they were.

  Input:
    KEYS[1] pending hash
    KEYS[2] final marker

    ARGV[1] new MAC
    ARGV[2] binding hash
    ARGV[3] now, ms
    ARGV[4] cool-down, ms
    ARGV[5] most codes sent per verification
    ARGV[6] final marker's TTL, s

  Output:
    {'replaced', '', codes sent so far}
    {'mismatch', '', 0} another binding
    {'too_many_sends', '', 0}
    {'too_soon', '', ms to wait}
    {'final', final state or 'expired', 0} no longer pending
]]
--- @include "ct-equal"
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'final', redis.call('GET', KEYS[2]) or 'expired', 0}
end
local h = redis.call('HMGET', KEYS[1], 'binding', 'expiresAtMs', 'sends', 'lastSendMs')
if tonumber(ARGV[3]) >= tonumber(h[2]) then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], 'expired', 'EX', ARGV[6])
  return {'final', 'expired', 0}
end
if not ct_equal(h[1], ARGV[2]) then return {'mismatch', '', 0} end
local sends = tonumber(h[3] or '1')
if sends >= tonumber(ARGV[5]) then return {'too_many_sends', '', 0} end
local wait = tonumber(h[4] or '0') + tonumber(ARGV[4]) - tonumber(ARGV[3])
if wait > 0 then return {'too_soon', '', wait} end
redis.call('HSET', KEYS[1], 'mac', ARGV[1], 'sends', sends + 1, 'lastSendMs', ARGV[3])
return {'replaced', '', sends + 1}
