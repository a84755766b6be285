-- casq bench --load wrk: every request pushes one job with its own idempotency key, as the
-- casq client does. Arguments (after --): the push path and the payload JSON.
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  payload = args[2]
  prefix = "wrk-" .. tid .. "-" .. os.time() .. "-" .. math.random(1, 1000000000) .. "-"
  counter = 0
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  counter = counter + 1
  local body = '{"payload":' .. payload .. ',"key":"' .. prefix .. counter .. '"}'
  return wrk.format("POST", path, headers, body)
end
