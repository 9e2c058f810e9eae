-- wrk script of bench/load.py: requests taken in turn from the file named by BENCH_REQUESTS
-- (one "cookie<TAB>path" per line: one logged-in user per line), and a JSON summary
-- with the 95th percentile, which wrk's --latency table does not print.
local lines = {}
local file = os.getenv("BENCH_REQUESTS")
if file then
  for line in io.lines(file) do
    local cookie, path = line:match("^(.-)\t(.*)$")
    if path then table.insert(lines, {cookie = cookie, path = path}) end
  end
end
local counter = 0

request = function()
  counter = counter + 1
  local item = lines[(counter % #lines) + 1]
  local headers = {["X-Forwarded-Proto"] = "https"}
  if item.cookie ~= "" then headers["Cookie"] = item.cookie end
  return wrk.format("GET", item.path, headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
