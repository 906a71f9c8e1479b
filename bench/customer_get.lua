-- customer_get.lua: GET /v1/customers/{id}<SUFFIX> over the ids in the file
-- named by IDS (one per line); SUFFIX is "" (the customer) or "/loyalty".
-- Set SK in the environment.
local ids = {}
local i = 0
local suffix = ""

function init(args)
  for line in io.lines(os.getenv("IDS")) do
    table.insert(ids, line)
  end
  i = math.random(#ids)
  suffix = os.getenv("SUFFIX") or ""
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("SK")
end

function request()
  i = i % #ids + 1
  return wrk.format("GET", "/v1/customers/" .. ids[i] .. suffix)
end
