-- wrk script: strangers flooding the sign-in form. Every request POSTs a
-- random username and a random 64-character password, from the client
-- address BENCH_FLOOD_ADDRESS (X-Forwarded-For, through the one trusted
-- proxy) or, if unset, from a random address each time, so that neither the
-- per-address limit nor a per-account lock ever applies. All requests share
-- one CSRF cookie/token pair (it stays valid). Counts the answers by status.
local address = os.getenv("BENCH_FLOOD_ADDRESS")
local cookie = os.getenv("BENCH_CSRF_COOKIE")
local token = os.getenv("BENCH_CSRF_TOKEN")
local alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 100 + id)
  checked, locked, busy, other = 0, 0, 0, 0
end

local function random_text(length)
  local chars = {}
  for i = 1, length do
    local n = math.random(#alphabet)
    chars[i] = alphabet:sub(n, n)
  end
  return table.concat(chars)
end

local function quote(s)
  return (s:gsub("[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function request()
  local body = "csrfmiddlewaretoken=" .. quote(token)
    .. "&username=u" .. random_text(12)
    .. "&password=" .. random_text(64)
  local headers = {
    ["Host"] = "127.0.0.1",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["Origin"] = "https://127.0.0.1",
    ["Referer"] = "https://127.0.0.1/accounts/login/",
    ["X-Forwarded-Proto"] = "https",
    ["X-Forwarded-For"] = address or string.format("10.%d.%d.%d",
      math.random(0, 255), math.random(0, 255), math.random(1, 254)),
  }
  return wrk.format("POST", "/accounts/login/", headers, body)
end

function response(status, headers, body)
  if status == 200 then
    checked = checked + 1   -- the form again: the password was checked, wrong
  elseif status == 429 then
    locked = locked + 1
  elseif status == 503 then
    busy = busy + 1         -- refused before hashing: the hasher is busy
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local sums = {checked = 0, locked = 0, busy = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sums) do
      sums[name] = sums[name] + thread:get(name)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, '
      .. '"checked": %d, "locked": %d, "busy": %d, "other": %d, '
      .. '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout,
    sums.checked, sums.locked, sums.busy, sums.other,
    latency:percentile(50), latency:percentile(99)))
end
