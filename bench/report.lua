-- wrk script of bench/run.py: checks every response and prints one summary line.
--
--   wrk ... -s bench/report.lua URL -- [MARKER]
--
-- Counts the responses per status code, the smallest and largest body, the responses whose
-- body lacks MARKER (e.g. the logout form: the page was rendered for a logged-in member),
-- and the X-Bench-Queries header (min, max, sum). done() prints them as JSON on a line that
-- starts with "BENCH-JSON ", which bench/harness.py parses.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  marker = args[1]
  statuses = {}
  bytes_min, bytes_max = -1, -1
  unmarked = 0
  q_min, q_max, q_sum, q_n = -1, -1, 0, 0
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  local size = #body
  if bytes_min < 0 or size < bytes_min then bytes_min = size end
  if size > bytes_max then bytes_max = size end
  if marker and marker ~= "" and not string.find(body, marker, 1, true) then
    unmarked = unmarked + 1
  end
  local q = headers["X-Bench-Queries"] or headers["x-bench-queries"]
  if q then
    q = tonumber(q)
    if q_min < 0 or q < q_min then q_min = q end
    if q > q_max then q_max = q end
    q_sum = q_sum + q
    q_n = q_n + 1
  end
end

function done(summary, latency, requests)
  local all = {}
  local b_min, b_max, miss = -1, -1, 0
  local qmin, qmax, qsum, qn = -1, -1, 0, 0
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      all[code] = (all[code] or 0) + count
    end
    local lo, hi = thread:get("bytes_min"), thread:get("bytes_max")
    if lo >= 0 and (b_min < 0 or lo < b_min) then b_min = lo end
    if hi > b_max then b_max = hi end
    miss = miss + thread:get("unmarked")
    local tlo, thi = thread:get("q_min"), thread:get("q_max")
    if tlo >= 0 and (qmin < 0 or tlo < qmin) then qmin = tlo end
    if thi > qmax then qmax = thi end
    qsum = qsum + thread:get("q_sum")
    qn = qn + thread:get("q_n")
  end
  local parts = {}
  for code, count in pairs(all) do
    table.insert(parts, string.format('"%s": %d', code, count))
  end
  io.write(string.format(
    'BENCH-JSON {"statuses": {%s}, "bytes_min": %d, "bytes_max": %d, "unmarked": %d, '
    .. '"queries_min": %d, "queries_max": %d, "queries_sum": %d, "queries_n": %d}\n',
    table.concat(parts, ", "), b_min, b_max, miss, qmin, qmax, qsum, qn))
end
