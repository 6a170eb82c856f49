--[[
  Settles an idempotency key a request claimed: keeps its answer, or lets the key go. Only while
  the key still holds this request's claim: a claim that lapsed (the request outlived it) may
  belong to a retry by now, and must not be overwritten or freed under it.

  Input:
    KEYS[1] the idempotency key

    ARGV[1] the pending value this request claimed the key with
    ARGV[2] the answer to keep, or '' to let the key go
    ARGV[3] seconds the answer is kept

  Output:
    1 when the claim was this request's and is settled, 0 when another holds the key
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return 1
