"""Where the benchmark keeps its files, and the targets it reports against."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / ".data" / "bench"
FLOORS = WORK / "floor"
HOST = "127.0.0.1"

TARGETS = {
    "max_queries": 8,
    "anonymous_fraction": 0.40,
    "logged_in_fraction": 0.10,
    "post_p50_ms": 50.0,
}
