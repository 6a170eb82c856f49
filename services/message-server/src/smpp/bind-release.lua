-- Frees this replica's leases (only those it still holds); when it leaves, its heartbeat too.
-- KEYS[1]: the live replicas; KEYS[2]: when each joined; KEYS[3..]: the leases to free
-- ARGV[1]: this replica's id; ARGV[2]: '1' when the replica leaves
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('DEL', KEYS[i])
  end
end
if ARGV[2] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 1
