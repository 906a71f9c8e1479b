-- orders.lua: POST /v1/orders with a new external id (and a new guest customer
-- for one order in four) per request. Set SK in the environment; BENCH_PREFIX
-- (optional) starts every external id, for several wrk processes at once.
local counter = 0
local thread_id = 0
local threads = {}
local prefix = os.getenv("BENCH_PREFIX") or ""

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  thread_id = tid
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("SK")
end

function request()
  counter = counter + 1
  local customer = string.format("bench-%d-%d@example.com", thread_id, counter % 4 == 0 and counter or (counter % 997))
  local body = string.format(
    '{"external_id":"%sB-%d-%d-%d","customer":{"email":"%s"},"currency":"EUR",' ..
    '"lines":[{"sku":"TEA-SENCHA","quantity":2,"unit_price":1290},' ..
    '{"sku":"ACC-FILTER","quantity":1,"unit_price":390,"discount":40}],' ..
    '"shipping":490,"total":3420,"channel":"web"}',
    prefix, os.time(), thread_id, counter, customer)
  return wrk.format(nil, "/v1/orders", nil, body)
end
