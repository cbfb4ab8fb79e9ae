/**
 * Retention helpers shared by the scripts. Stream entries are `<seq>-0 ts <ms> e <event JSON>`.
 * Trimming is exact (never `MAXLEN ~`): with `~` Redis only drops whole radix-tree nodes (100
 * entries by default), so a limit of 5 would not trim at all. Redis 7.0 does not advance the
 * stream's `max-deleted-entry-id` on MAXLEN/MINID trims, so the highest dropped position is kept
 * in the topic's meta hash (`trimmed`) by the script that drops it.
 */
const RETENTION_LUA = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function note_trimmed(meta, id)
  if id then redis.call('HSET', meta, 'trimmed', string.match(id, '^(%d+)-')) end
end

-- Drops entries older than cutoff (ms); answers the last dropped id or nil.
local function expire_old(stream, cutoff)
  local dropped, start, count = nil, '-', 1
  while true do
    local batch = redis.call('XRANGE', stream, start, '+', 'COUNT', count)
    for _, entry in ipairs(batch) do
      if tonumber(entry[2][2]) >= cutoff then
        if dropped then redis.call('XTRIM', stream, 'MINID', entry[1]) end
        return dropped
      end
      dropped = entry[1]
    end
    if #batch < count then break end
    start, count = '(' .. dropped, 100
  end
  if dropped then redis.call('XTRIM', stream, 'MAXLEN', 0) end
  return dropped
end

-- Makes room for one more entry under max; answers the last dropped id or nil.
local function make_room(stream, max)
  local over = redis.call('XLEN', stream) - max + 1
  if over <= 0 then return nil end
  local drop = redis.call('XRANGE', stream, '-', '+', 'COUNT', over)
  redis.call('XTRIM', stream, 'MAXLEN', max - 1)
  return drop[#drop][1]
end

-- Applies the age limit; answers the highest position of the topic that retention dropped.
local function retained_from(stream, meta, max_age)
  if redis.call('EXISTS', stream) == 0 then
    -- The whole stream expired (PEXPIRE), so everything up to its last event is gone.
    return tonumber(redis.call('HGET', meta, 'last') or '0')
  end
  note_trimmed(meta, expire_old(stream, now_ms() - max_age))
  return tonumber(redis.call('HGET', meta, 'trimmed') or '0')
end
`;

/**
 * The log's epoch, created with SET NX when missing. With `watch` ('1', on a cluster) the epoch is also
 * renewed when the master serving the log is another one than at the last write (its replication id
 * changed): a replica promoted after a crash may lack writes its predecessor acknowledged, so it would
 * hand out their positions again to other events; a new epoch makes every cursor of the old one reset.
 */
const EPOCH_LUA = `
local function log_epoch(epoch_key, origin_key, fresh, watch)
  if watch == '1' then
    local replid = string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)')
    if redis.call('GET', origin_key) ~= replid then
      redis.call('SET', epoch_key, fresh)
      redis.call('SET', origin_key, replid)
      return fresh
    end
  end
  redis.call('SET', epoch_key, fresh, 'NX')
  return redis.call('GET', epoch_key)
end
`;

/**
 * The append script of one log layout. Appends events in order: idempotency check, epoch (see
 * EPOCH_LUA), one INCR per event, XADD + trim, PUBLISH (SPUBLISH on a cluster, allowed as the channel
 * shares the log's hash tag) of the stored event JSON. Answers a JSON array of the stored events.
 * KEYS: seq, epoch, idempotency, [on a cluster: origin,] then stream + meta per event.
 * ARGV: fresh epoch, max count, max age ms, idempotency ttl ms, use idempotency (1/0), channel prefix,
 * then topic + JSON body (`"topic":..,"type":..,"data":..`) per event. Two texts rather than flags, so
 * a single Redis server's append takes exactly the arguments it always did.
 */
function appendLua(cluster: boolean): string {
  const fixedKeys = cluster ? 4 : 3;
  return `${RETENTION_LUA}${EPOCH_LUA}
if ARGV[5] == '1' then
  local earlier = redis.call('GET', KEYS[3])
  if earlier then return earlier end
end
local epoch = log_epoch(KEYS[2], ${cluster ? "KEYS[4], ARGV[1], '1'" : "nil, ARGV[1], '0'"})
local max_count, max_age = tonumber(ARGV[2]), tonumber(ARGV[3])
local ts = string.format('%d', now_ms())
local events = {}
for i = 1, (#KEYS - ${fixedKeys}) / 2 do
  local stream, meta = KEYS[${fixedKeys - 1} + 2 * i], KEYS[${fixedKeys} + 2 * i]
  local topic, body = ARGV[5 + 2 * i], ARGV[6 + 2 * i]
  if redis.call('EXISTS', stream) == 0 then
    local last = redis.call('HGET', meta, 'last')
    if last then redis.call('HSET', meta, 'trimmed', last) end
  else
    note_trimmed(meta, expire_old(stream, tonumber(ts) - max_age))
    note_trimmed(meta, make_room(stream, max_count))
  end
  local seq = string.format('%d', redis.call('INCR', KEYS[1]))
  local json = '{"id":"' .. epoch .. '-' .. seq .. '","seq":' .. seq .. ',' .. body .. ',"ts":' .. ts .. '}'
  redis.call('XADD', stream, seq .. '-0', 'ts', ts, 'e', json)
  -- An idle topic's stream goes away once all of it is older than the age limit.
  redis.call('PEXPIRE', stream, max_age)
  redis.call('HSET', meta, 'last', seq)
  redis.call('${cluster ? 'SPUBLISH' : 'PUBLISH'}', ARGV[6] .. topic, json)
  events[i] = json
end
local all = '[' .. table.concat(events, ',') .. ']'
if ARGV[5] == '1' then redis.call('SET', KEYS[3], all, 'PX', ARGV[4]) end
return all
`;
}

/** The append script on one Redis server. */
export const APPEND_LUA = appendLua(false);
/** The append script on a Redis Cluster: SPUBLISH, and a new epoch under a new master. */
export const CLUSTER_APPEND_LUA = appendLua(true);

/**
 * Events of several topics with seq > after, at most `limit` per topic, after applying the age limit.
 * KEYS: stream + meta per topic. ARGV: after, limit, max age ms.
 * Answers `{truncated (0/1), {{event JSON...} per topic}}`.
 */
export const READ_LUA = `${RETENTION_LUA}
local after = tonumber(ARGV[1])
local from = string.format('%d-0', after + 1)
local truncated, pages = 0, {}
for i = 1, #KEYS / 2 do
  local stream, meta = KEYS[2 * i - 1], KEYS[2 * i]
  if retained_from(stream, meta, tonumber(ARGV[3])) > after then truncated = 1 end
  local page = {}
  for j, entry in ipairs(redis.call('XRANGE', stream, from, '+', 'COUNT', ARGV[2])) do page[j] = entry[2][4] end
  pages[i] = page
end
return {truncated, pages}
`;

/** The newest `limit` events of one topic, newest first. KEYS: stream, meta. ARGV: limit, max age ms. */
export const LATEST_LUA = `${RETENTION_LUA}
retained_from(KEYS[1], KEYS[2], tonumber(ARGV[2]))
local out = {}
for i, entry in ipairs(redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[1])) do out[i] = entry[2][4] end
return out
`;

/** The epoch (see EPOCH_LUA) and the last position. KEYS: epoch, seq, origin. ARGV: fresh epoch, watch origin (1/0). */
export const HEAD_LUA = `${EPOCH_LUA}
return {log_epoch(KEYS[1], KEYS[3], ARGV[1], ARGV[2]), redis.call('GET', KEYS[2]) or '0'}
`;
