-- wrk script: the JSON API's sign-in, as an app does it. Every request POSTs
-- the credentials to the app client's /auth/login (no cookies, no CSRF) and
-- counts a 200 whose body carries meta.session_token as a sign-in. An app
-- sends no known-device cookie, so each one is a new device to the site.
local username = os.getenv("BENCH_USERNAME")
local password = os.getenv("BENCH_PASSWORD")
logins, failures = 0, 0 -- globals, read by done() through thread:get()

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

local payload = '{"username": ' .. json_string(username)
  .. ', "password": ' .. json_string(password) .. '}'

function request()
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, payload)
end

function response(status, headers, body)
  if status == 200 and body:find('"session_token"', 1, true) then
    logins = logins + 1
  else
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("logins")
    bad = bad + thread:get("failures")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"logins": %d, "failures": %d, "requests": %d, "duration_us": %d, '
      .. '"errors": %d, "p50_us": %d, "p99_us": %d}\n',
    ok, bad, summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
