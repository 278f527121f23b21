#!/usr/bin/env python3
"""Prints criterion results (target/criterion) as `id  time  throughput`, for ids matching a regex.

Usage: python3 benches/criterion_table.py [REGEX]
"""
import json
import os
import re
import sys


def results(root="target/criterion"):
    """Yields (id, mean ns, bytes per iteration or None) for every benchmark criterion has stored."""
    for dirpath, _, files in os.walk(root):
        if os.path.basename(dirpath) != "new" or not {"estimates.json", "benchmark.json"} <= set(files):
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            mean_ns = json.load(f)["mean"]["point_estimate"]
        throughput = bench.get("throughput") or {}
        yield bench["full_id"], mean_ns, throughput.get("Bytes")


def human_rate(bytes_per_iter, ns):
    rate = bytes_per_iter / ns * 1e9
    for unit, scale in (("GiB/s", 1 << 30), ("MiB/s", 1 << 20), ("KiB/s", 1 << 10)):
        if rate >= scale:
            return f"{rate / scale:8.2f} {unit}"
    return f"{rate:8.2f} B/s"


def main():
    pattern = re.compile(sys.argv[1] if len(sys.argv) > 1 else ".")
    for full_id, ns, size in sorted(results()):
        if pattern.search(full_id):
            rate = human_rate(size, ns) if size else ""
            print(f"{full_id:55s} {ns:14.1f} ns  {rate}")


if __name__ == "__main__":
    main()
