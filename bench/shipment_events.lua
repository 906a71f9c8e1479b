-- shipment_events.lua: POST /v1/shipments/{id}/events over the shipments in the
-- file named by SHIPMENTS (one id per line), round-robin: each pass over the
-- shipments gives every one its next carrier event (shipped, out_for_delivery,
-- failed_attempt by the carrier, out_for_delivery, delivered, then again),
-- a new external id each, an hour later than the last. Set SK.
local ids = {}
local counter = 0
local run = 0
local types = { "shipped", "out_for_delivery", "failed_attempt", "out_for_delivery", "delivered" }
local base = os.time() - 30 * 86400

function init(args)
  for line in io.lines(os.getenv("SHIPMENTS")) do
    table.insert(ids, line)
  end
  run = os.time() * 1000 + math.random(999)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("SK")
end

function request()
  local i = counter % #ids + 1
  local pass = math.floor(counter / #ids)
  local type = types[pass % #types + 1]
  counter = counter + 1
  local reason = type == "failed_attempt" and ',"reason":"carrier"' or ""
  local body = string.format('{"external_id":"ev-%d-%d","type":"%s","at":"%s"%s}', run, counter,
    type, os.date("!%Y-%m-%dT%H:%M:%SZ", base + pass * 3600), reason)
  return wrk.format(nil, "/v1/shipments/" .. ids[i] .. "/events", nil, body)
end
