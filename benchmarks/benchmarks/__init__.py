"""asv benchmark suite for relukit: one module per kernel family (bench_<family>.py)."""
