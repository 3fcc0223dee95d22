-- wrk script of the memory measurement: every request carries the next of many
-- session cookies and asks for the next of several customer pages, so that the
-- load goes through every stored session.
--
--   wrk -t2 -c64 -d60s -s bench/sessions.lua URL -- COOKIES_FILE PATHS_FILE

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  cookies, paths = {}, {}
  for line in io.lines(args[1]) do cookies[#cookies + 1] = line end
  for line in io.lines(args[2]) do paths[#paths + 1] = line end
  -- threads start far apart in the cookie list
  n = id * math.floor(#cookies / 2)
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], { ["Cookie"] = cookies[(n % #cookies) + 1] })
end
