-- showcase.lua: GET /v1/reviews/showcase?sku=... with the publishable key
-- (as a storefront reads it), rotating over the SKUs in the file named by
-- SKUS; one request in ten asks for the whole shop's showcase. Set PK.
local skus = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("SKUS")) do
    if line ~= "" then table.insert(skus, line) end
  end
  i = math.random(#skus)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("PK")
end

function request()
  i = i + 1
  if i % 10 == 0 then
    return wrk.format("GET", "/v1/reviews/showcase")
  end
  return wrk.format("GET", "/v1/reviews/showcase?sku=" .. skus[i % #skus + 1])
end
