-- wrk script: send METHOD (default POST) with the body in the file named by
-- env BODY_FILE (none when empty) and, with AUTH set, "Authorization: AUTH";
-- with ACCEPT_ENCODING set, "Accept-Encoding: ACCEPT_ENCODING".
-- With VARY=<field>, that integer field gets a distinct value per request
-- (100001, 100002, … in the first thread, or from VARY_BASE+1 with VARY_BASE set; with
-- VARY_FRACTION=1 the field's own value plus a distinct fraction, to stay
-- inside a narrow range), which defeats the cache (every request is
-- computed). Two runs with different VARY_BASE compute different requests.
local method = os.getenv("METHOD") or ""
if method == "" then method = "POST" end
local body = nil
local file = os.getenv("BODY_FILE") or ""
if file ~= "" then
  local f = assert(io.open(file, "r"))
  body = f:read("*a")
  f:close()
end
local vary = os.getenv("VARY")
if vary == "" then vary = nil end
local fraction = (os.getenv("VARY_FRACTION") or "") == "1"
local base = tonumber(os.getenv("VARY_BASE") or "") or 100000
local n = 0
-- Each wrk thread has its own Lua state and counter: setup numbers the
-- threads, and a thread's values start at base + tid × 100000, so no two
-- threads send the same value (below 100,000 requests per thread).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
wrk.method = method
if body then wrk.headers["Content-Type"] = "application/json" end
local auth = os.getenv("AUTH") or ""
if auth ~= "" then wrk.headers["Authorization"] = auth end
local encoding = os.getenv("ACCEPT_ENCODING") or ""
if encoding ~= "" then wrk.headers["Accept-Encoding"] = encoding end
request = function()
  if vary then
    n = n + 1
    local v = base + (tid or 0) * 100000 + n
    local b
    if fraction then
      b = body:gsub('"' .. vary .. '"%s*:%s*(%d+)', function(w) return '"' .. vary .. '": ' .. w .. string.format(".%07d", v) end, 1)
    else
      b = body:gsub('"' .. vary .. '"%s*:%s*%d+', '"' .. vary .. '": ' .. tostring(v), 1)
    end
    return wrk.format(nil, nil, nil, b)
  end
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f non2xx=%d errors=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests))
end
