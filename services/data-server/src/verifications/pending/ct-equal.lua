-- Compares in constant time over equal lengths: every byte is visited whatever differs, and
-- with arithmetic only (no branch, no bit library), so it runs on Redis and on the embedded store.
local function ct_equal(a, b)
  if (not a) or (not b) or #a ~= #b then return false end
  local diff = 0
  for i = 1, #a do diff = diff + (string.byte(a, i) - string.byte(b, i)) ^ 2 end
  return diff == 0
end
