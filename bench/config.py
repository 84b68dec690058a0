"""Where the benchmark keeps its files, and the targets it reports against."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / ".data" / "bench"
FLOORS = WORK / "floor"
HOST = "127.0.0.1"

# From issue 11; a benchmark reports them, tests never assert speed.
TARGETS = {
    "hit_fraction": 0.8,
    "after_change_ms": {1000: 5, 5000: 10},
    "after_change_queries": 3,
    "cold_ms": {1000: 40},
    "logged_in_fraction": 0.25,
    "logged_in_cold_queries": 8,
    "first_page_bytes": 150_000,
    "post_p99_ms": 300,
}
