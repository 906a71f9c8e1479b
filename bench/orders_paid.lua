-- orders_paid.lua: POST /v1/orders then POST .../payments for it, pipelined:
-- every order is paid and earns points (the shop has a programme). Two
-- requests per order: orders with earning per second = requests/s / 2.
-- BENCH_PREFIX (optional) starts every external id, for several wrk processes
-- at once (LuaJIT's math.random gives each process the same "random" tid).
local counter = 0
local prefix = os.getenv("BENCH_PREFIX") or ""

function setup(thread)
  thread:set("tid", math.random(1, 1000000))
end

function init(args)
  counter = 0
  thread_id = tid
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("SK")
end

function request()
  counter = counter + 1
  local ext = string.format("%sE-%d-%d-%d", prefix, os.time(), thread_id, counter)
  local body = string.format(
    '{"external_id":"%s","customer":{"email":"earn-%d-%d@example.com"},"currency":"EUR",' ..
    '"lines":[{"sku":"TEA-SENCHA","category":"green tea","quantity":2,"unit_price":1290},' ..
    '{"sku":"ACC-FILTER","quantity":1,"unit_price":390,"discount":40}],' ..
    '"shipping":490,"total":3420,"channel":"web"}', ext, thread_id, counter % 500)
  return wrk.format("POST", "/v1/orders", nil, body) ..
         wrk.format("POST", "/v1/orders/ext:" .. ext .. "/payments", nil, '{"status":"paid"}')
end
