#!/usr/bin/env python3
"""Side-by-side driver: times every case in .NET (ConvMixer.Core on TorchSharp, and ConvMixerNet.Onnx on ONNX Runtime)
and in PyTorch, alternating implementations case by case, and prints img/s, the ratio .NET time / PyTorch time, and
each rate as a fraction of this CPU's measured arithmetic peak.

    python3 benchmarks/compare.py [--reps 3] [--warmups 1] [--threads 2] [--rounds 1] [--only SUBSTRING]

It builds benchmarks/ConvMixer.Benchmarks in Release and the native peak probe (benchmarks/peak-probe, cmake and a
C++ compiler), measures the peak once, then runs `ConvMixerNet.Benchmarks measure <case>` and
`/usr/bin/python3 benchmarks/pytorch/convmixer_bench.py <case>` (Debian's python3-torch) with the same thread count,
and writes benchmarks/results/compare.json. Standard library only, so any python3 runs it.
Forward precisions: fp32 and bf16 (TorchSharp and PyTorch), onnx-fp32 and onnx-int8 (ONNX Runtime; int8 calibrated on
random images, which is fine for timing); --gelu20 adds onnx-fp32-gelu20 (opset-20 Gelu instead of the Erf pattern).
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
DOTNET_EXE = os.path.join(PROJECT, "bin", "Release", "net10.0", "ConvMixerNet.Benchmarks")
PEAK_SOURCE = os.path.join(HERE, "peak-probe")
PEAK_BUILD = os.path.join(PEAK_SOURCE, "build")
PYTORCH_SCRIPT = os.path.join(HERE, "pytorch", "convmixer_bench.py")
PYTORCH_PYTHON = "/usr/bin/python3"  # Debian's interpreter, the one python3-torch is installed for

MODELS = ["convmixer_1536_20", "convmixer_768_32", "convmixer_1024_20_ks9_p14"]
PRECISIONS = ["fp32", "bf16", "onnx-fp32", "onnx-int8"]
TRAINING = ["train:convmixer_256_8_ks5_p2_cifar10:64"]
# Which measured peak a precision's arithmetic runs on.
PEAK_OF = {"fp32": "fp32_fma", "bf16": "bf16_dot", "onnx-fp32": "fp32_fma", "onnx-fp32-gelu20": "fp32_fma",
           "onnx-int8": "int8_dot", "train": "fp32_fma"}


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


def measure_peak(threads):
    subprocess.run(["cmake", "-S", PEAK_SOURCE, "-B", PEAK_BUILD, "-DCMAKE_BUILD_TYPE=Release"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", PEAK_BUILD], check=True, stdout=subprocess.DEVNULL)
    return run_json([os.path.join(PEAK_BUILD, "peak_probe"), str(threads), "1.0"])


def precision(case):
    return case.split(":")[3] if case.startswith("forward:") else "train"


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
    parser.add_argument("--batches", default="1,4,16", help="comma-separated forward batch sizes")
    parser.add_argument("--gelu20", action="store_true", help="also time ONNX Runtime with opset 20's Gelu node")
    parser.add_argument("--pytorch-max-batch", type=int, default=1 << 30,
                        help="time PyTorch only up to this batch (Debian's 1.13 build is slow; larger batches run .NET only)")
    parser.add_argument("--no-pytorch", action="store_true", help="time the .NET side only")
    parser.add_argument("--only", default="", help="run only the cases whose id contains this text")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "compare.json"))
    parser.add_argument("--table-only", action="store_true", help="print the table of an existing --out file, measure nothing")
    args = parser.parse_args()
    if args.table_only:
        with open(args.out, encoding="utf-8") as f:
            saved = json.load(f)
        print_table(saved["rows"], saved["peak"])
        return

    precisions = PRECISIONS + (["onnx-fp32-gelu20"] if args.gelu20 else [])
    batches = [int(b) for b in args.batches.split(",")]
    all_cases = [f"forward:{m}:{b}:{p}" for m in MODELS for b in batches for p in precisions] + TRAINING
    cases = [c for c in all_cases if args.only in c]

    subprocess.run(["dotnet", "build", PROJECT, "-c", "Release", "-nologo", "-v", "q"], check=True)
    peak = measure_peak(args.threads)
    print(f"peak: {json.dumps(peak)}", file=sys.stderr, flush=True)
    flops, samples = {}, {}
    for round_index in range(args.rounds):
        order = ("dotnet", "pytorch") if round_index % 2 == 0 else ("pytorch", "dotnet")
        for case in cases:
            for impl in order:
                if impl == "pytorch" and (args.no_pytorch or precision(case).startswith("onnx")
                                          or (case.startswith("forward:") and int(case.split(":")[2]) > args.pytorch_max_batch)):
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
        own_peak = PEAK_OF[precision(case)]
        for impl in entry:
            row[impl] = entry[impl]
            # Roofline: the model's FLOP rate over the CPU's measured peak (all threads), for float32 FMA and for the
            # instruction the precision runs on; the CPU-time variant divides by the peak per CPU-second.
            rate = flops[case] / entry[impl]["median_wall_s"]
            cpu_rate = flops[case] / entry[impl]["median_cpu_s"]
            row[impl]["gflops"] = rate / 1e9
            row[impl]["peak_fraction_fp32"] = rate / (peak["fp32_fma_gops"] * 1e9)
            row[impl]["peak_fraction_own"] = rate / (peak[f"{own_peak}_gops"] * 1e9)
            # The probe's CPU-time rate is summed over its threads; a model's CPU-time rate is per CPU-second.
            row[impl]["peak_fraction_own_cpu_time"] = cpu_rate / (peak[f"{own_peak}_gops_cpu"] / peak["threads"] * 1e9)
        if "pytorch" in entry and "dotnet" in entry:
            row["ratio_dotnet_over_pytorch"] = entry["dotnet"]["median_wall_s"] / entry["pytorch"]["median_wall_s"]
        rows.append(row)
    by_case = {r["case"]: r for r in rows}
    for row in rows:
        if not row["case"].startswith("forward:"):
            continue
        base = row["case"].rsplit(":", 1)[0]
        for reference, key in ((f"{base}:fp32", "speedup_over_torchsharp_fp32"), (f"{base}:onnx-fp32", "speedup_over_onnx_fp32")):
            if reference in by_case and "dotnet" in by_case[reference]:
                row["dotnet"][key] = by_case[reference]["dotnet"]["median_wall_s"] / row["dotnet"]["median_wall_s"]
                row["dotnet"][key + "_cpu_time"] = by_case[reference]["dotnet"]["median_cpu_s"] / row["dotnet"]["median_cpu_s"]

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"reps": args.reps, "warmups": args.warmups, "threads": args.threads, "rounds": args.rounds,
                   "pytorch_max_batch": args.pytorch_max_batch, "peak": peak, "rows": rows}, f, indent=1)

    print_table(rows, peak)


def print_table(rows, peak):
    """Markdown table: wall-clock medians; peak fractions also by CPU time (steadier when other processes share the cores)."""
    nan = float("nan")
    print(f"Peak ({peak['threads']} threads): fp32 FMA {peak['fp32_fma_gops']:.0f} GFLOP/s "
          f"({peak['fp32_fma_gops_cpu']:.0f} per CPU-second), bf16 dot {peak['bf16_dot_gops']:.0f} "
          f"({peak['bf16_dot_gops_cpu']:.0f}), int8 dot {peak['int8_dot_gops']:.0f} GOP/s ({peak['int8_dot_gops_cpu']:.0f})\n")
    print("| case | .NET img/s | PyTorch img/s | .NET / PyTorch (wall) | .NET GFLOP/s | % of fp32 peak | % of own peak | % of own peak (CPU time) | × TorchSharp fp32 | × ONNX Runtime fp32 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        d, p = row["dotnet"], row.get("pytorch")
        print(f"| {row['case']} | {d['items_per_s']:.2f} | {p['items_per_s'] if p else nan:.2f} | "
              f"{row.get('ratio_dotnet_over_pytorch', nan):.2f} | {d['gflops']:.0f} | {d['peak_fraction_fp32']:.0%} | "
              f"{d['peak_fraction_own']:.0%} | {d['peak_fraction_own_cpu_time']:.0%} | "
              f"{d.get('speedup_over_torchsharp_fp32', nan):.2f} | {d.get('speedup_over_onnx_fp32', nan):.2f} |")


if __name__ == "__main__":
    main()
