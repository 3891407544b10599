-- wrk script: a flood of sign-ins. Every request POSTs valid credentials with
-- one CSRF cookie/token pair (the pair stays valid), so any number of
-- connections can run at once; each success creates a new session.
local username = os.getenv("BENCH_USERNAME")
local password = os.getenv("BENCH_PASSWORD")
logins = 0

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local function quote(s)
  return (s:gsub("[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

wrk.method = "POST"
wrk.path = "/accounts/login/"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("BENCH_CSRF_COOKIE")
wrk.body = "csrfmiddlewaretoken=" .. quote(os.getenv("BENCH_CSRF_TOKEN"))
  .. "&username=" .. quote(username) .. "&password=" .. quote(password)

function response(status, headers, body)
  if status == 302 then
    logins = logins + 1
  end
end

function done(summary, latency, requests)
  local ok = 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("logins")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"logins": %d, "requests": %d, "duration_us": %d, "errors": %d, '
      .. '"p50_us": %d, "p99_us": %d}\n',
    ok, summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
