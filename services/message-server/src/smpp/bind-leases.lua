-- Renews this replica's bind leases on one SMSC account and takes free ones up to its share.
-- KEYS[1]: the live replicas (sorted set; score: when the replica's heartbeat runs out)
-- KEYS[2..n+1]: one lease per submitting bind slot; KEYS[n+2] (optional): the receiver bind's lease
-- ARGV[1]: this replica's id; ARGV[2]: lease length (ms); ARGV[3]: n
-- Returns { live replicas, share, receiver held (0/1), held slot numbers (0-based)... }.
-- Slots held beyond the share are renewed too: the replica drains their submits before freeing them.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me, ttl, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])

redis.call('ZADD', KEYS[1], now + ttl, me)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], ttl * 2)
local live = redis.call('ZCARD', KEYS[1])
local share = math.ceil(n / live)

local held = {}
for i = 1, n do
  if redis.call('GET', KEYS[i + 1]) == me then
    redis.call('PEXPIRE', KEYS[i + 1], ttl)
    held[#held + 1] = i - 1
  end
end
for i = 1, n do
  if #held >= share then
    break
  end
  if redis.call('SET', KEYS[i + 1], me, 'PX', ttl, 'NX') then
    held[#held + 1] = i - 1
  end
end

local receiver = 0
local r = KEYS[n + 2]
if r then
  if redis.call('GET', r) == me then
    redis.call('PEXPIRE', r, ttl)
    receiver = 1
  elseif redis.call('SET', r, me, 'PX', ttl, 'NX') then
    receiver = 1
  end
end

local answer = { live, share, receiver }
for _, slot in ipairs(held) do
  answer[#answer + 1] = slot
end
return answer
