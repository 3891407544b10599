-- wrk script: the whole sign-in, as a returning user's browser does it. Each
-- connection GETs the login page (CSRF cookie and token), then POSTs the
-- credentials, then starts over with no cookie but the known-device one
-- (BENCH_DEVICE_COOKIE, from an earlier sign-in), as after signing out.
-- State is per thread, so run it with as many threads as connections
-- (-t N -c N).
local username = os.getenv("BENCH_USERNAME")
local password = os.getenv("BENCH_PASSWORD")
local path = "/accounts/login/"
local device = os.getenv("BENCH_DEVICE_COOKIE")
local posting = false
local cookie, token
logins, failures = 0, 0 -- globals, read by done() through thread:get()

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local function quote(s)
  return (s:gsub("[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function request()
  if not posting then
    return wrk.format("GET", path, {["Cookie"] = device})
  end
  local body = "csrfmiddlewaretoken=" .. quote(token)
    .. "&username=" .. quote(username) .. "&password=" .. quote(password)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie .. "; " .. device,
  }, body)
end

function response(status, headers, body)
  if not posting then
    token = body:match('name="csrfmiddlewaretoken" value="([^"]+)"')
    local set_cookie = headers["Set-Cookie"]
    if status == 200 and token and set_cookie then
      cookie = set_cookie:match("^([^;]+)")
      posting = true
    else
      failures = failures + 1
    end
    return
  end
  if status == 302 and (headers["Location"] or ""):find("/dashboard/", 1, true) then
    logins = logins + 1
  else
    failures = failures + 1
  end
  posting = false
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
