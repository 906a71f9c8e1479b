-- tickets.lua: POST /v1/tickets, each with its own Idempotency-Key (the API's
-- advice: tickets have no natural key). Channels in turn; one ticket in ten
-- urgent; one in four names an order of the file ORDERS (external ids) and
-- leaves the customer to it; one in eight is from a new guest by WhatsApp;
-- the rest from 2000 known customers by e-mail. The shop has an SLA policy,
-- so each ticket gets its due times. Set SK.
local orders = {}
local counter = 0
local run = 0
local channels = { "web", "email", "phone", "whatsapp", "chat", "store" }
local priorities = { "normal", "high", "normal", "low", "normal", "high", "normal", "normal", "low", "urgent" }

function init(args)
  for line in io.lines(os.getenv("ORDERS")) do
    table.insert(orders, line)
  end
  run = os.time() * 1000 + math.random(999)
end

function request()
  counter = counter + 1
  local who
  if counter % 4 == 0 then
    who = string.format('"order":"ext:%s"', orders[counter % #orders + 1])
  elseif counter % 8 == 1 then
    who = string.format('"customer":{"whatsapp":"+4860%07d","name":"Guest %d"}', (run + counter) % 10000000, counter)
  else
    who = string.format('"customer":{"email":"svc-%d@example.com"}', counter % 2000)
  end
  local body = string.format('{"channel":"%s",%s,"subject":"Where is my parcel %d?",' ..
    '"body":"Hello, I ordered two packs of sencha last week and the parcel has not arrived yet.' ..
    ' Could you check with the carrier, please?","priority":"%s","tags":["delivery"]}',
    channels[counter % #channels + 1], who, counter, priorities[counter % #priorities + 1])
  local headers = { ["Content-Type"] = "application/json",
                    ["Authorization"] = "Bearer " .. os.getenv("SK"),
                    ["Idempotency-Key"] = string.format("tkt-%d-%d", run, counter) }
  return wrk.format("POST", "/v1/tickets", headers, body)
end
