-- The wrk script of benches/load.rs: every request submits one personal link's complete form.
--
-- Arguments (after wrk's `--`): the token file (one token a line), the file holding the form's
-- body, and wrk's thread count. Thread k takes the tokens on lines k, k + threads, k + 2 × threads
-- and so on, so no token is sent twice: a personal link accepts one submission. A thread whose
-- tokens are spent stops (wrk needs one more request from it, which goes to /healthz); done()
-- then says so. Only 303 (the redirect to the thanks page) counts as a submission; done() prints
-- every status seen.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local count = tonumber(args[3])
  tokens = {}
  local line_number = 0
  for line in io.lines(args[1]) do
    if line_number % count == id then
      tokens[#tokens + 1] = line
    end
    line_number = line_number + 1
  end
  local file = assert(io.open(args[2], "rb"))
  body = file:read("*a")
  file:close()
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  sent = 0
  exhausted = 0
  statuses = {}
end

function request()
  if sent >= #tokens then
    exhausted = 1
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  sent = sent + 1
  return wrk.format("POST", "/s/" .. tokens[sent], headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local all, sent_all, exhausted_all = {}, 0, 0
  for _, thread in ipairs(threads) do
    sent_all = sent_all + thread:get("sent")
    exhausted_all = exhausted_all + thread:get("exhausted")
    for status, count in pairs(thread:get("statuses")) do
      all[status] = (all[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(all) do
    parts[#parts + 1] = status .. "=" .. count
  end
  table.sort(parts)
  io.write(string.format("partnerscope-load: tokens sent %d, threads out of tokens %d, statuses %s\n",
    sent_all, exhausted_all, table.concat(parts, " ")))
end
