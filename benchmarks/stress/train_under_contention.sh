#!/usr/bin/env bash
# Runs N short trainings in a row while busy loops take every core, and counts the runs that crash.
#
# Why: TorchSharp frees a native Scalar from its finalizer, and a Scalar converted implicitly is not kept alive
# during the native call that reads it; a garbage collection in that window crashed training at random
# ("internal error … c10::Scalar::toFloat" or "Unknown scalar type"). A machine whose cores are busy moves the
# collector's timing into the window far more often, so this is where a regression shows.
#
#   benchmarks/stress/train_under_contention.sh [-n RUNS] [-b BUSY_LOOPS] [-l IMAGES] [--epochs E] [--tool CONVMIXER]
#
# Data: the first IMAGES (default 436) Fashion-MNIST training images, from Debian's dataset-fashion-mnist package
# (apt-get install dataset-fashion-mnist). Tool: the built convmixer (default: build it from this checkout).
# Prints one line per run and, last, "RUNS runs, CRASHES crashed"; exits 1 when any run crashed.
set -uo pipefail
cd "$(dirname "$0")/../.."

runs=30 busy=2 images=436 epochs=12 tool=""
data=/usr/share/datasets/fashion-mnist
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    -b) busy=$2; shift 2 ;;
    -l) images=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
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
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq "$busy"); do sh -c 'while :; do :; done' & pids+=($!); done

crashes=0
for i in $(seq "$runs"); do
  log="$work/run$i.log"
  "$tool" train --data "$data" --out "$work/run$i" --limit "$images" --dim 16 --depth 1 --kernel 3 --patch 2 \
    --epochs "$epochs" --batch 8 >"$log" 2>&1
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
