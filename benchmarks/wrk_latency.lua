-- wrk report hook for benchmarks/bench_service.py: p50/p95/p99 in ms, req/s, errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("KAIGAI p50 %.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("KAIGAI p95 %.3f\n", latency:percentile(95) / 1000))
  io.write(string.format("KAIGAI p99 %.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("KAIGAI rps %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("KAIGAI requests %d\n", summary.requests))
  io.write(string.format("KAIGAI errors %d\n", e.connect + e.read + e.write + e.timeout + e.status))
  io.write(string.format("KAIGAI non2xx %d\n", e.status))
end
