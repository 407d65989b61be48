-- intake_paced.lua - bench/intake.lua at a chosen rate, for the latency of
-- an ordo that is not saturated.
--
--   wrk -t T -c N -d 10s -s bench/intake_paced.lua URL -- KEY RUN RATE N
--
-- The orders, checks and printed figures are intake.lua's. Each connection
-- waits N / RATE seconds between an answer and its next order, so the N
-- connections together send about RATE orders/s (a little less: the wait
-- starts when the answer comes). wrk decides whether a script paces before
-- its threads start, so pacing is this file of its own.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "intake.lua")

local intake_init = init
local pause_ms = 0

function init(args)
   intake_init(args)
   local rate, conns = tonumber(args[3]), tonumber(args[4])
   if not rate or not conns or rate <= 0 or conns <= 0 then
      io.stderr:write("intake_paced.lua: give KEY RUN RATE CONNECTIONS\n")
      os.exit(2)
   end
   pause_ms = math.floor(conns * 1000 / rate)
end

function delay()
   return pause_ms
end
