#!/usr/bin/env python3
"""Sums an ONNX Runtime profile (the JSON that SessionOptions.EnableProfiling writes) by operator: where a run's time goes.

    mkdir -p artifacts
    CONVMIXER_BENCH_ORT_PROFILE=artifacts/ort ConvMixerNet.Benchmarks measure forward:convmixer_1536_20:4:onnx-int8 3 1 2
    python3 benchmarks/onnx_profile.py artifacts/ort_*.json

Counts only the timed kernel events ("Node" category, "_kernel_time"), over every run in the file except the first
(the warm-up), and prints milliseconds per run and the share of each operator type.
"""
import collections
import json
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        events = json.load(f)
    kernels = [e for e in events if e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time")]
    runs = [e for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"]
    if not kernels or not runs:
        sys.exit(f"{path}: no kernel events")
    first_run_end = runs[0]["ts"] + runs[0]["dur"]
    timed = [e for e in kernels if e["ts"] > first_run_end] or kernels
    count = max(1, len(runs) - 1) if len(timed) < len(kernels) else len(runs)
    by_op = collections.Counter()
    for event in timed:
        by_op[event["args"].get("op_name", "?")] += event["dur"]
    total = sum(by_op.values())
    print(f"{path}: {count} timed runs, {total / count / 1000:.1f} ms of kernels per run")
    print("| operator | ms per run | share |")
    print("|---|---:|---:|")
    for op, microseconds in by_op.most_common():
        print(f"| {op} | {microseconds / count / 1000:.1f} | {microseconds / total:.1%} |")


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        main(argument)
