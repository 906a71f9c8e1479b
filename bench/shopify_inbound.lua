-- shopify_inbound.lua: Shopify orders/paid deliveries from the file PAYLOADS
-- (bench/shopify_payloads.py), from line START on: each request is a new
-- order created and paid by one signed webhook, with no API key.
local reqs = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("PAYLOADS")) do
    local sig, id, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    reqs[#reqs + 1] = { sig, id, body }
  end
  i = tonumber(os.getenv("START") or "0")
end

function request()
  i = i + 1
  local r = reqs[((i - 1) % #reqs) + 1]
  return wrk.format("POST", "/v1/integrations/shopify/webhooks", {
    ["Content-Type"] = "application/json",
    ["X-Shopify-Topic"] = "orders/paid",
    ["X-Shopify-Shop-Domain"] = os.getenv("DOMAIN"),
    ["X-Shopify-Hmac-Sha256"] = r[1],
    ["X-Shopify-Webhook-Id"] = r[2],
  }, r[3])
end
