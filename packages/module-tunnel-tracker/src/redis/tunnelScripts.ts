/**
 * The Lua scripts behind the Redis layout (see the README's "Redis layout"). Every expiry comes from
 * Redis `TIME`, so replicas' clocks need not agree. Scripts that touch several buckets declare one key
 * (it routes the call to the right Cluster node) and reach the other buckets of that node under the
 * `allow-cross-slot-keys` flag (Redis 7.0 or newer): one round trip per shard.
 */

const helpers = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function extend(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
local function agent_key(prefix, bucket, agent) return prefix .. ':{' .. bucket .. '}:agent:' .. agent end
local function index_key(prefix, bucket, replica) return prefix .. ':{' .. bucket .. '}:replica:' .. replica end
local function entry(expires, address) return string.format('%d', expires) .. '|' .. address end
local function marker_key(prefix, bucket, replica) return prefix .. ':{' .. bucket .. '}:present:' .. replica end
`;

/** KEYS: agent record, replica index (one slot). ARGV: replica id, agent id, address, ttl ms. */
export const REGISTER_SCRIPT = `${helpers}
local ttl = tonumber(ARGV[4])
local expires = now_ms() + ttl
redis.call('HSET', KEYS[1], ARGV[1], entry(expires, ARGV[3]))
extend(KEYS[1], ttl)
redis.call('ZADD', KEYS[2], expires, ARGV[2])
extend(KEYS[2], ttl)
return 1
`;

/** KEYS: agent record, replica index (one slot). ARGV: replica id, agent id. Returns entries removed. */
export const UNREGISTER_SCRIPT = `
redis.call('ZREM', KEYS[2], ARGV[2])
return redis.call('HDEL', KEYS[1], ARGV[1])
`;

/** KEYS: agent record. Returns `[replicaId, address, ...]` of the unexpired entries. */
export const FIND_SCRIPT = `#!lua flags=no-writes
${helpers}
local now = now_ms()
local fields = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #fields, 2 do
  local expires, address = string.match(fields[i + 1], '^(%d+)|(.*)$')
  if expires ~= nil and tonumber(expires) > now then
    live[#live + 1] = fields[i]
    live[#live + 1] = address
  end
end
return live
`;

/**
 * KEYS: a routing key on the target node. ARGV: prefix, replica id, address, ttl ms, then for each bucket
 * of the node: bucket, agent count, agent ids. Writes every listed entry with a fresh expiry and removes
 * the replica's entries of agents not listed, then sets the replica's marker in the node's first bucket
 * (with the same expiry): the entry check reads it to notice that the entries were lost. Returns entries
 * written.
 */
export const SYNC_SCRIPT = `#!lua flags=allow-cross-slot-keys
${helpers}
local prefix, replica, address, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local expires = now_ms() + ttl
local value = entry(expires, address)
local written = 0
local i = 5
while i <= #ARGV do
  local bucket, count = ARGV[i], tonumber(ARGV[i + 1])
  local index = index_key(prefix, bucket, replica)
  local listed = {}
  for j = i + 2, i + 1 + count do
    local agent = ARGV[j]
    local key = agent_key(prefix, bucket, agent)
    listed[agent] = true
    redis.call('HSET', key, replica, value)
    extend(key, ttl)
    redis.call('ZADD', index, expires, agent)
    written = written + 1
  end
  for _, agent in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    if not listed[agent] then
      redis.call('HDEL', agent_key(prefix, bucket, agent), replica)
      redis.call('ZREM', index, agent)
    end
  end
  if count > 0 then extend(index, ttl) end
  i = i + 2 + count
end
if #ARGV >= 5 then redis.call('SET', marker_key(prefix, ARGV[5], replica), '1', 'PX', ttl) end
return written
`;

/**
 * KEYS: a routing key on the target node. ARGV: prefix, replica id, buckets of the node. Removes the
 * replica's entry from every agent record its index names, then the index and the replica's marker.
 * Returns entries removed.
 */
export const WITHDRAW_SCRIPT = `#!lua flags=allow-cross-slot-keys
${helpers}
local prefix, replica = ARGV[1], ARGV[2]
local removed = 0
for i = 3, #ARGV do
  local index = index_key(prefix, ARGV[i], replica)
  for _, agent in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    removed = removed + redis.call('HDEL', agent_key(prefix, ARGV[i], agent), replica)
  end
  redis.call('DEL', index)
end
if #ARGV >= 3 then redis.call('DEL', marker_key(prefix, ARGV[3], replica)) end
return removed
`;

/**
 * KEYS: a routing key on the target node. ARGV: prefix, replica id, buckets of the node. For every agent
 * this replica's index names, removes the expired entries of any replica from the agent's record and
 * from that replica's index; then drops this replica's own expired index members. Returns entries removed.
 */
export const CLEAN_UP_SCRIPT = `#!lua flags=allow-cross-slot-keys
${helpers}
local prefix, replica = ARGV[1], ARGV[2]
local now = now_ms()
local removed = 0
for i = 3, #ARGV do
  local bucket = ARGV[i]
  local own = index_key(prefix, bucket, replica)
  for _, agent in ipairs(redis.call('ZRANGE', own, 0, -1)) do
    local key = agent_key(prefix, bucket, agent)
    local fields = redis.call('HGETALL', key)
    for j = 1, #fields, 2 do
      local expires = tonumber(string.match(fields[j + 1], '^(%d+)|'))
      if expires == nil or expires <= now then
        redis.call('HDEL', key, fields[j])
        redis.call('ZREM', index_key(prefix, bucket, fields[j]), agent)
        removed = removed + 1
      end
    end
  end
  redis.call('ZREMRANGEBYSCORE', own, '-inf', now)
end
return removed
`;
