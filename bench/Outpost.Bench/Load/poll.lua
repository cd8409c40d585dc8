-- wrk script: GET {route}/services/{prefix}{i}/{start_id} for i = 0..count-1, round robin, so the
-- requests spread over every server. Each wrk thread starts at another offset.
-- Arguments (after "--"): prefix count start_id authorization [route]
-- An authorization of "-" sends no Authorization header; route defaults to "" (the real poll route).
-- At the end it prints one line "WRK_JSON {...}" that the bench parses.

local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

local requests_ring = {}
local ring_size = 0
local position = 1

function init(args)
  local prefix, count, start_id, authorization, route = args[1], tonumber(args[2]), args[3], args[4], args[5] or ""
  local headers = {}
  if authorization ~= "-" then
    headers["Authorization"] = authorization
  end
  for i = 0, count - 1 do
    requests_ring[i + 1] = wrk.format("GET", route .. "/services/" .. prefix .. i .. "/" .. start_id, headers)
  end
  ring_size = count
  position = ((thread_index or 0) * 97) % ring_size + 1
end

function request()
  local r = requests_ring[position]
  position = position % ring_size + 1
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
