-- intake_paced.lua - bench/intake.lua at a chosen rate, for the latency of
-- an ordo that is not saturated.
--
--   wrk -t T -c N -d 10s -s bench/intake_paced.lua URL -- KEY RUN RATE N
--
-- The orders, checks and printed figures are intake.lua's. Each connection
-- waits between an answer and its next order a time drawn afresh each time
-- from an exponential distribution of mean N / RATE seconds, so the N
-- connections together send about RATE orders/s (a little less: the wait
-- starts when the answer comes), each order independent of the others, as
-- a storefront's customers are: arrivals of a Poisson process.
--
-- A fixed wait would keep the connections in step: wrk starts them at once,
-- a batch answers its orders at once, and each waits the same time, so the
-- orders arrive as bursts of up to N at the same instant, and the last of a
-- burst waits for the batches of all before it. That measures the load
-- generator, not a storefront (PostgreSQL's one node at half its rate, p99
-- 72 to 85 ms in step, 22 to 28 ms drawn; bench/profile.md).
--
-- wrk decides whether a script paces before its threads start, so pacing
-- is this file of its own.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "intake.lua")

local intake_init = init
local mean_ms = 0

function init(args)
   intake_init(args)
   local rate, conns = tonumber(args[3]), tonumber(args[4])
   if not rate or not conns or rate <= 0 or conns <= 0 then
      io.stderr:write("intake_paced.lua: give KEY RUN RATE CONNECTIONS\n")
      os.exit(2)
   end
   mean_ms = conns * 1000 / rate
   -- each thread's own draws: its Lua state starts with the same seed
   math.randomseed(tid * 104729 + os.time())
end

-- math.random() is in [0, 1): the log is of (0, 1], never of 0.
function delay()
   return math.floor(-mean_ms * math.log(1 - math.random()))
end
