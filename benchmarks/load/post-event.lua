-- wrk script: POST the article's event (timestamp now, distinct id_cliente per request) with a JWT.
-- Usage: TOKEN=... wrk -t2 -c32 -d10s -s benchmarks/load/post-event.lua http://127.0.0.1:PORT/api/v1/eventi/conversione
local token = os.getenv("TOKEN") or ""
local now = os.date("!%Y-%m-%dT%H:%M:%S.000Z")
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"id_cliente": "CLIENTE-ITALIA-%06d", "evento": "richiesta_demo", "timestamp": "%s", '
    .. '"valore": 19.99, "canale": "email", "stato": "completato", "metadati": {"campagna": "Campagna_Email_Verano2024", '
    .. '"dispositivo": "iPad_pro", "localita": "Roma"}}', counter % 1000000, now)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

done = function(summary, latency, requests)
  local codes = {}
  io.write(string.format("requests %d, errors connect %d read %d write %d status %d timeout %d\n", summary.requests,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
  io.write(string.format("latency p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
