--[[
  Gives one attempt of a source back (it was right); never below zero, never a count without
  expiry (a DECR of a key gone meanwhile would create one).

  Input:
    KEYS[1] the source's count

  Output:
    0
]]
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 1 then
  redis.call('DECR', KEYS[1])
elseif n == 1 then
  redis.call('DEL', KEYS[1])
end
return 0
