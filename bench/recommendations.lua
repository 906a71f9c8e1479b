-- recommendations.lua: GET /v1/customers/{id}/recommendations over the ids in
-- the file named by IDS (one per line). Set SK in the environment.
local ids = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("IDS")) do
    table.insert(ids, line)
  end
  i = math.random(#ids)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("SK")
end

function request()
  i = i % #ids + 1
  return wrk.format("GET", "/v1/customers/" .. ids[i] .. "/recommendations?limit=10")
end
