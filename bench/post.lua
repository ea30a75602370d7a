-- wrk script: POST the AdmissionReview held in the file named by BENCH_BODY_FILE
-- on every request, and report the figures the benchmark reads as one line.
local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "bench-result requests=%d duration_us=%d p50_us=%d p99_us=%d " ..
    "errors_connect=%d errors_read=%d errors_write=%d errors_status=%d " ..
    "errors_timeout=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
