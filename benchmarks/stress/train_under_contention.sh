#!/usr/bin/env bash
# Runs N short trainings in a row while busy loops take every core, and counts the runs that crash.
#
# Why: TorchSharp frees a native Scalar from its finalizer, and a Scalar converted implicitly is not kept alive
# during the native call that reads it; a garbage collection in that window crashed training at random
# ("internal error … c10::Scalar::toFloat" or "Unknown scalar type"). A machine whose cores are busy moves the
# collector's timing into the window far more often, so this is where a regression shows.
#
#   benchmarks/stress/train_under_contention.sh [-n RUNS] [-b BUSY_LOOPS] [-l IMAGES] [--epochs E] [-t THREADS] [--tool CONVMIXER]
#
# THREADS (libtorch's, default 1): with more threads than free cores, libtorch's worker threads spin against the
# busy loops and a run takes minutes instead of seconds; the crash depends on the garbage collector, not on them.
#
# Data: the first IMAGES (default 436) Fashion-MNIST training images and 100 test images, copied from Debian's
# dataset-fashion-mnist package (apt-get install dataset-fashion-mnist; --data for another IDX folder). Tool: the built convmixer (default: build it from this checkout).
# Prints one line per run and, last, "RUNS runs, CRASHES crashed"; exits 1 when any run crashed.
set -uo pipefail
cd "$(dirname "$0")/../.."

runs=30 busy=2 images=436 epochs=12 threads=1 tool=""
data=/usr/share/datasets/fashion-mnist
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    -b) busy=$2; shift 2 ;;
    -l) images=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    -t) threads=$2; shift 2 ;;
    --tool) tool=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [ -z "$tool" ]; then
  dotnet build src/ConvMixer.Cli -c Release -v quiet -nologo >/dev/null || { echo "build failed" >&2; exit 2; }
  tool=src/ConvMixer.Cli/bin/Release/net10.0/linux-x64/convmixer
fi
[ -d "$data" ] || { echo "no data at $data (apt-get install dataset-fashion-mnist)" >&2; exit 2; }

work=$(mktemp -d)
# A small copy of the data set in its own IDX layout: IMAGES training and 100 test images, so each run is short.
python3 - "$data" "$work/data" "$images" <<'PY' || { echo "could not copy the data" >&2; exit 2; }
import gzip, os, struct, sys
source, target, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(target)
for split, n in (("train", count), ("t10k", 100)):
    for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
        with gzip.open(f"{source}/{split}-{kind}.gz") as f:
            data = f.read()
        rank = data[3]
        dims = list(struct.unpack(f">{rank}I", data[4:4 + 4 * rank]))
        per_item = 1
        for d in dims[1:]:
            per_item *= d
        dims[0] = min(n, dims[0])
        head = data[:4] + struct.pack(f">{rank}I", *dims)
        body = data[4 + 4 * rank:4 + 4 * rank + dims[0] * per_item]
        with gzip.open(f"{target}/{split}-{kind}.gz", "wb") as f:
            f.write(head + body)
PY
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq "$busy"); do sh -c 'while :; do :; done' & pids+=($!); done

crashes=0
for i in $(seq "$runs"); do
  log="$work/run$i.log"
  "$tool" train --data "$work/data" --out "$work/run$i" --dim 16 --depth 1 --kernel 3 --patch 2 \
    --epochs "$epochs" --batch 8 --threads "$threads" >"$log" 2>&1
  status=$?
  if [ $status -ne 0 ]; then
    crashes=$((crashes + 1))
    echo "run $i: exit $status: $(grep -m1 -E 'error|exception|Exception' "$log" | cut -c1-200)"
  else
    echo "run $i: ok"
  fi
  rm -rf "$work/run$i"
done
echo "$runs runs, $crashes crashed"
[ $crashes -eq 0 ]
