-- Renews this replica's bind leases on one SMSC account and takes free ones up to its share.
-- KEYS[1]: the live replicas (sorted set; score: when the replica's heartbeat runs out)
-- KEYS[2]: when each live replica joined (sorted set; score: its first heartbeat)
-- KEYS[3..n+2]: one lease per submitting bind slot; KEYS[n+3] (optional): the receiver bind's lease
-- ARGV[1]: this replica's id; ARGV[2]: lease length (ms); ARGV[3]: n
-- Returns { live replicas, share, receiver held (0/1), held slot numbers (0-based)... }.
-- Shares differ by one at most: the n mod live replicas that joined first hold one more. Slots
-- held beyond the share are renewed too: the replica drains their submits before freeing them.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me, ttl, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])

redis.call('ZADD', KEYS[1], now + ttl, me)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], ttl * 2)
redis.call('ZADD', KEYS[2], 'NX', now, me)
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if not redis.call('ZSCORE', KEYS[1], member) then
    redis.call('ZREM', KEYS[2], member)
  end
end
redis.call('PEXPIRE', KEYS[2], ttl * 2)
local live = redis.call('ZCARD', KEYS[1])
local rank = redis.call('ZRANK', KEYS[2], me)
local share = math.floor(n / live)
if rank < n % live then
  share = share + 1
end

local held = {}
for i = 1, n do
  if redis.call('GET', KEYS[i + 2]) == me then
    redis.call('PEXPIRE', KEYS[i + 2], ttl)
    held[#held + 1] = i - 1
  end
end
for i = 1, n do
  if #held >= share then
    break
  end
  if redis.call('SET', KEYS[i + 2], me, 'PX', ttl, 'NX') then
    held[#held + 1] = i - 1
  end
end

local receiver = 0
local r = KEYS[n + 3]
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
