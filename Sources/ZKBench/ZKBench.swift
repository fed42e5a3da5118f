// Benchmark suites (placeholder; see issue 8).
