#!/usr/bin/env python3
"""Side-by-side driver: times every case in .NET (ConvMixer.Core on TorchSharp) and in PyTorch, alternating
the two case by case, and prints img/s, the ratio .NET time / PyTorch time, roofline fractions and the bf16 speedup.

    python3 benchmarks/compare.py [--reps 3] [--warmups 1] [--threads 2] [--rounds 1] [--only SUBSTRING]

It builds benchmarks/ConvMixer.Benchmarks in Release, runs `ConvMixer.Benchmarks measure <case>` and
`/usr/bin/python3 benchmarks/pytorch/convmixer_bench.py <case>` (Debian's python3-torch) with the same thread
count, and writes benchmarks/results/compare.json. Standard library only, so any python3 runs it.
On a shared machine, wrap it in flock (or run it alone) and read medians and same-run ratios, not single times.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.join(HERE, "ConvMixer.Benchmarks")
DOTNET_EXE = os.path.join(PROJECT, "bin", "Release", "net10.0", "ConvMixer.Benchmarks")
PYTORCH_SCRIPT = os.path.join(HERE, "pytorch", "convmixer_bench.py")
PYTORCH_PYTHON = "/usr/bin/python3"  # Debian's interpreter, the one python3-torch is installed for

MODELS = ["convmixer_1536_20", "convmixer_768_32", "convmixer_1024_20_ks9_p14"]
CASES = (["mm:4096:fp32", "mm:4096:bf16"]
         + [f"forward:{m}:{b}:{d}" for m in MODELS for b in (1, 4, 16) for d in ("fp32", "bf16")]
         + ["train:convmixer_256_8_ks5_p2_cifar10:64"])


def run_json(command):
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return json.loads(lines[-1])


def measure(impl, case, args):
    tail = [case, str(args.reps), str(args.warmups), str(args.threads)]
    if impl == "dotnet":
        return run_json([DOTNET_EXE, "measure", *tail])
    return run_json([PYTORCH_PYTHON, PYTORCH_SCRIPT, *tail])


def summarise(samples):
    """Per case and implementation: median wall and CPU seconds over all rounds' timed runs."""
    out = {}
    for (impl, case), runs in samples.items():
        wall = [t for r in runs for t in r["wall_s"]]
        cpu = [t for r in runs for t in r["cpu_s"]]
        out.setdefault(case, {})[impl] = {
            "median_wall_s": statistics.median(wall),
            "median_cpu_s": statistics.median(cpu),
            "items_per_s": runs[0]["items"] / statistics.median(wall),
            "wall_s": wall,
            "version": runs[0]["version"],
            "threads": runs[0]["threads"],
        }
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--warmups", type=int, default=1)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--pytorch-max-batch", type=int, default=1 << 30,
                        help="time PyTorch only up to this batch (Debian's 1.13 build is slow; larger batches run .NET only)")
    parser.add_argument("--only", default="", help="run only the cases whose id contains this text (mm cases always run)")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "compare.json"))
    parser.add_argument("--table-only", action="store_true", help="print the table of an existing --out file, measure nothing")
    args = parser.parse_args()
    if args.table_only:
        with open(args.out, encoding="utf-8") as f:
            print_table(json.load(f)["rows"])
        return

    subprocess.run(["dotnet", "build", PROJECT, "-c", "Release", "-nologo", "-v", "q"], check=True)
    cases = [c for c in CASES if args.only in c or c.startswith("mm:")]
    flops, samples = {}, {}
    for round_index in range(args.rounds):
        order = ("dotnet", "pytorch") if round_index % 2 == 0 else ("pytorch", "dotnet")
        for case in cases:
            for impl in order:
                if impl == "pytorch" and case.startswith("forward:") and int(case.split(":")[2]) > args.pytorch_max_batch:
                    continue
                result = measure(impl, case, args)
                samples.setdefault((impl, case), []).append(result)
                flops.setdefault(case, result.get("flops"))
                print(f"round {round_index + 1} {impl:8} {case:45} median {statistics.median(result['wall_s']):8.3f} s",
                      file=sys.stderr, flush=True)

    summary = summarise(samples)
    rows = []
    for case in cases:
        entry = summary[case]
        row = {"case": case, "flops": flops[case]}
        for impl in entry:
            row[impl] = entry[impl]
            # Roofline: the fraction of the same implementation's fp32 (and bf16) matrix-product rate.
            rate = flops[case] / entry[impl]["median_wall_s"]
            row[impl]["gflops"] = rate / 1e9
            for dtype in ("fp32", "bf16"):
                mm = summary[f"mm:4096:{dtype}"][impl]
                row[impl][f"roofline_{dtype}"] = rate / (flops[f"mm:4096:{dtype}"] / mm["median_wall_s"])
        if "pytorch" in entry:
            row["ratio_dotnet_over_pytorch"] = entry["dotnet"]["median_wall_s"] / entry["pytorch"]["median_wall_s"]
        rows.append(row)
    for row in rows:
        if row["case"].startswith("forward:") and row["case"].endswith(":bf16"):
            fp32 = next((r for r in rows if r["case"] == row["case"][:-4] + "fp32"), None)
            if fp32:
                for impl in set(fp32) & set(row) & {"dotnet", "pytorch"}:
                    row[impl]["bf16_speedup"] = fp32[impl]["median_wall_s"] / row[impl]["median_wall_s"]

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"reps": args.reps, "warmups": args.warmups, "threads": args.threads, "rounds": args.rounds,
                   "pytorch_max_batch": args.pytorch_max_batch,
                   "rows": rows}, f, indent=1)

    print_table(rows)


def print_table(rows):
    """Markdown table: wall-clock medians, and CPU-time medians (steadier when other processes share the cores)."""
    def cpu_rate(row, impl, case=None):
        r = row if case is None else next(x for x in rows if x["case"] == case)
        return r["flops"] / r[impl]["median_cpu_s"]

    nan = float("nan")
    print("| case | .NET img/s | PyTorch img/s | .NET / PyTorch (wall) | .NET / PyTorch (CPU time) | .NET GFLOP/s | .NET roofline (wall) | .NET roofline (CPU time) | .NET bf16 speedup |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        d, p = row["dotnet"], row.get("pytorch")
        cpu_ratio = d["median_cpu_s"] / p["median_cpu_s"] if p else nan
        roof_cpu = cpu_rate(row, "dotnet") / cpu_rate(row, "dotnet", "mm:4096:fp32")
        print(f"| {row['case']} | {d['items_per_s']:.2f} | {p['items_per_s'] if p else nan:.2f} | "
              f"{row.get('ratio_dotnet_over_pytorch', nan):.2f} | {cpu_ratio:.2f} | {d['gflops']:.0f} | "
              f"{d['roofline_fp32']:.0%} | {roof_cpu:.0%} | {d.get('bf16_speedup', nan):.2f} |")

if __name__ == "__main__":
    main()
