-- validate.lua: POST /v1/coupons/validate with a two-line cart. Seven
-- requests in eight carry a single-use code from the file named by CODES,
-- one a shared code from SHARED; three in four name a customer from
-- CUSTOMERS (the fourth is a guest cart). DELAY_MS (when set) is the mean
-- pause before each request on each connection, drawn from an exponential
-- distribution: the half-load runs of bench/coupons pace the load with it
-- (a fixed pause kept the connections in step, so the requests came in
-- bursts of all of them at once). VALIDATE_PATH sends the same requests
-- elsewhere (bench/coupons: to the echo ceiling). Set SK in the environment.
local codes, shared, customers = {}, {}, {}
local i = 0
local pause = nil
local path = os.getenv("VALIDATE_PATH") or "/v1/coupons/validate"

local function read(name, into)
  for line in io.lines(os.getenv(name)) do
    if line ~= "" then table.insert(into, line) end
  end
end

function init(args)
  read("CODES", codes)
  read("SHARED", shared)
  read("CUSTOMERS", customers)
  i = math.random(#codes)
  pause = tonumber(os.getenv("DELAY_MS") or "")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("SK")
end

if os.getenv("DELAY_MS") then
  function delay()
    return math.floor(-math.log(1 - math.random()) * pause + 0.5)
  end
end

function request()
  i = i + 1
  local code = i % 8 == 0 and shared[i % #shared + 1] or codes[(i * 7919) % #codes + 1]
  local customer = ""
  if i % 4 ~= 0 then
    customer = string.format('"customer":"%s",', customers[i % #customers + 1])
  end
  local body = string.format(
    '{"code":"%s",%s"cart":{"currency":"EUR","channel":"web","shipping":490,' ..
    '"lines":[{"sku":"TEA-SENCHA","category":"green tea","quantity":2,"unit_price":1290},' ..
    '{"sku":"ACC-FILTER","category":"accessories","quantity":1,"unit_price":390}]}}',
    code, customer)
  return wrk.format(nil, path, nil, body)
end
