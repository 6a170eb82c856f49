--[[
  Makes a verification the open one of its merchant and holder, and answers the one it takes
  the place of: a start cancels that one, even if it started alongside and is not written yet.

  Input:
    KEYS[1] the merchant and holder's open verification

    ARGV[1] the new verification's id
    ARGV[2] how long it lives, ms

  Output:
    the id of the verification that was open before, or false
]]
local before = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return before
