"""Speed targets: `make bench` runs every benchmarks/bench_*.py (each defines main())."""
