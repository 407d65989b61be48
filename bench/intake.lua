-- intake.lua - order intake over HTTP as a storefront sends it, for wrk.
--
--   wrk -t T -c N -d 10s -s bench/intake.lua http://HOST:PORT -- API_KEY RUN
--
-- Every request posts a distinct clean order to /v1/orders: its external_id
-- is RUN, wrk's thread number and a counter of that thread, and so are its
-- customer and address, so no order is a channel duplicate or a duplicate
-- suspect of another. It is paid, for one unit of BENCH-1 at the catalog
-- price, so ordo accepts, allocates and releases it in the transaction that
-- takes it in (bench/intake_one sets up the SKU, a location and its stock)
-- - the write set bench/floor.c stores.
--
-- With ORDO_BENCH_SKUS=S and ORDO_BENCH_LINES=L in the environment, each
-- order has L lines (one unit each) of L distinct SKUs among BENCH-1 ..
-- BENCH-S, consecutive from a point that moves with the counter, every
-- other order's lines in reverse: S = L gives every order the same hot
-- SKUs, a large S spreads them, and the lines arrive in either order, as
-- a storefront's do.
--
-- Every answer must be 201: done() counts the others (and wrk's socket
-- errors and timeouts), prints the figures and exits 1 if there was any, so
-- that a run with failed orders never reports a throughput. The figures are
-- printed as one line of name=value pairs for bench/run:
--   orders=... seconds=... orders_per_s=... p50_ms=... p99_ms=... non201=...

local threads = {}

-- Runs in the main Lua state, once per thread, before the run.
function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end

-- Runs in each thread's own Lua state.
function init(args)
   key = args[1] or ""
   run = args[2] or "1"
   counter = 0
   non201 = 0
   skus = tonumber(os.getenv("ORDO_BENCH_SKUS") or "1")
   lines = tonumber(os.getenv("ORDO_BENCH_LINES") or "1")
   if not skus or not lines or lines < 1 or skus < lines then
      io.stderr:write("intake.lua: ORDO_BENCH_LINES must be 1 to " ..
                      "ORDO_BENCH_SKUS\n")
      os.exit(2)
   end
   wrk.method = "POST"
   wrk.headers["Authorization"] = "Bearer " .. key
   wrk.headers["Content-Type"] = "application/json"
end

function order_lines()
   local first = (counter * 7919 + tid * 104729) % skus
   local out = {}
   for j = 0, lines - 1 do
      local k = j
      if counter % 2 == 1 then k = lines - 1 - j end
      out[#out + 1] = '{"sku":"BENCH-' .. ((first + k) % skus + 1) ..
         '","quantity":1,"unit_price":"10.00"}'
   end
   return table.concat(out, ",")
end

function request()
   counter = counter + 1
   local n = string.format("%s-%d-%d", run, tid, counter)
   local body = '{"external_id":"wrk-' .. n .. '","channel":"web",' ..
      '"placed_at":"2026-11-27T09:00:00Z","currency":"USD",' ..
      '"customer":{"name":"Client ' .. n .. '","email":"c' .. n ..
      '@example.com"},"ship_to":{"name":"Client ' .. n .. '","line1":"' ..
      n .. ' Main St","city":"Springfield","region":"IL",' ..
      '"postal_code":"62701","country":"US"},"lines":[' .. order_lines() ..
      '],"payment_status":"paid"}'
   return wrk.format(nil, "/v1/orders", nil, body)
end

function response(status, headers, body)
   if status ~= 201 then
      non201 = non201 + 1
      if non201 == 1 then
         io.stderr:write("intake.lua: answer " .. status .. ": " ..
                         string.sub(body or "", 1, 300) .. "\n")
      end
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, t in ipairs(threads) do
      bad = bad + (t:get("non201") or 0)
   end
   local e = summary.errors
   local socket = e.connect + e.read + e.write + e.timeout
   local seconds = summary.duration / 1e6
   io.write(string.format(
      "orders=%d seconds=%.1f orders_per_s=%.0f p50_ms=%.2f p99_ms=%.2f " ..
      "non201=%d socket_errors=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      bad, socket))
   if bad > 0 or socket > 0 or summary.requests == 0 then
      io.stderr:write(string.format(
         "intake.lua: %d answers were not 201, %d socket errors: " ..
         "the figures measure nothing\n", bad, socket))
      os.exit(1)
   end
end
