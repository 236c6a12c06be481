-- wrk script: POST the body in the file named by env BODY_FILE; with
-- VARY=<field>, that integer field gets a distinct value per request, which
-- defeats the cache (every request is computed).
local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
local body = f:read("*a")
f:close()
local vary = os.getenv("VARY")
if vary == "" then vary = nil end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  if vary then
    n = n + 1
    local b = body:gsub('"' .. vary .. '"%s*:%s*%d+', '"' .. vary .. '": ' .. tostring(100000 + n), 1)
    return wrk.format(nil, nil, nil, b)
  end
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f non2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
