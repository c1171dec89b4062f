#!/usr/bin/env bash
# The measurements of issue 28 for docs/training-benchmark.md ("Photo folders and fine-tuning: to be measured"). Run
# them on a quiet machine: every figure is a time or a peak RSS.
#
#   benchmarks/training/photo_folders.sh transfer [--seeds "0 1 2"]   # Fashion-MNIST halves: fine-tuned vs from scratch
#   benchmarks/training/photo_folders.sh loader [--images 20000] [--limit N] [--large-limit N]  # streaming vs in-memory at 224², 256/8 and 768/32 (--large-limit: the 768/32's, default --limit)
#   benchmarks/training/photo_folders.sh fashion [--seeds "0 1 2"] [--variants "recipe ema reprob aa"]  # does RandAugment / erasing / EMA lift the single view?
#   ... [--tool CONVMIXER] [--threads 2] [--out bench-runs] [--dry-run]
#
# Needs: Debian's dataset-fashion-mnist (transfer, fashion) and Pillow + numpy for the synthetic photos (loader).
# Each run's stdout/stderr and /usr/bin/time -v report go to OUT/<name>.log; the lines to copy into the doc are
# printed at the end of each run (accuracy, epoch times, images/s, waited-for-data seconds, peak RSS).
set -euo pipefail
cd "$(dirname "$0")/../.."

what=${1:?"transfer, loader or fashion"}; shift
seeds="0 1 2" variants="recipe ema reprob aa" images=20000 threads=2 out=bench-runs tool="" dry=0 limit="" large_limit=""
fmnist=/usr/share/datasets/fashion-mnist
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --limit) limit="--limit $2"; shift 2 ;;
    --large-limit) large_limit="--limit $2"; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --tool) tool=$2; shift 2 ;;
    --data) fmnist=$2; shift 2 ;;
    --dry-run) dry=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ -z "$tool" ]; then
  dotnet build src/ConvMixer.Cli -c Release -v q >/dev/null
  tool="dotnet $(ls src/ConvMixer.Cli/bin/Release/net10.0/*/convmixer.dll | head -1)"
fi
mkdir -p "$out"

# run NAME ARGS...: one training, timed, its summary lines printed.
run() {
  local name=$1; shift
  echo "+ convmixer $*"
  [ "$dry" = 1 ] && return 0
  /usr/bin/time -v $tool "$@" >"$out/$name.log" 2>&1 || { echo "  FAILED, see $out/$name.log"; return 0; }
  grep -E "^epoch|Validation accuracy|Waited|Maximum resident|Elapsed \(wall" "$out/$name.log" | sed 's/^/  /'
}

case "$what" in
  transfer)
    # Half a: classes 0-4, all images; half b: classes 5-9, 100 training images per class, all test images.
    [ -d "$out/fm-halves" ] || [ "$dry" = 1 ] || python3 tools/training/export_fashion_mnist_halves.py --idx "$fmnist" --out "$out/fm-halves" --per-class 100
    for seed in $seeds; do
      run "pretrain-a-s$seed" train --data "$out/fm-halves/a" --out "$out/pretrain-a-s$seed" --recipe fashion-mnist --threads "$threads" --seed "$seed" --force
      run "finetune-b-s$seed" train --data "$out/fm-halves/b" --out "$out/finetune-b-s$seed" --pretrained "$out/pretrain-a-s$seed" \
        --recipe finetune --batch 32 --threads "$threads" --workers "$threads" --seed "$seed" --force
      run "scratch-b-s$seed" train --data "$out/fm-halves/b" --out "$out/scratch-b-s$seed" --recipe fashion-mnist --threads "$threads" --seed "$seed" --force
      # The same recipe as from scratch, started from the pretrained model: the transfer itself, without the photo recipe.
      run "pretrained-recipe-b-s$seed" train --data "$out/fm-halves/b" --out "$out/pretrained-recipe-b-s$seed" --pretrained "$out/pretrain-a-s$seed" \
        --recipe fashion-mnist --threads "$threads" --seed "$seed" --force
    done
    ;;
  loader)
    [ -d "$out/photos" ] || [ "$dry" = 1 ] || python3 tools/training/make_photo_folder.py --out "$out/photos" --images "$images"
    # One epoch each (or the first LIMIT images), each path forced.
    for path in "--streaming" "--in-memory"; do
      tag=$(echo "$path" | cut -c3-11 | tr -d ' -')
      run "loader-256-8-$tag" train --data "$out/photos" --out "$out/loader-256-8-$tag" --dim 256 --depth 8 --kernel 9 --patch 7 \
        --image-size 224 --aa rand-m9-mstd0.5-inc1 $path --epochs 1 --batch 32 --threads "$threads" --workers "$threads" --force $limit
      run "loader-768-32-$tag" train --data "$out/photos" --out "$out/loader-768-32-$tag" --preset convmixer_768_32 \
        --image-size 224 --aa rand-m9-mstd0.5-inc1 $path --epochs 1 --batch 8 --threads "$threads" --workers "$threads" --force ${large_limit:-$limit}
    done
    ;;
  fashion)
    # Each variant against the recipe's single view; --variants picks some of: recipe ema reprob aa. An ema run's folder
    # holds the trained weights and its ema/ folder their average: both single views come from one run.
    case " $variants " in *" aa "*)
      [ -d "$out/fm-folder" ] || [ "$dry" = 1 ] || { python3 tools/training/export_fashion_mnist_halves.py --idx "$fmnist" --out "$out/fm-split" --per-class 6000 \
        && mkdir -p "$out/fm-folder" && for s in train val; do mkdir -p "$out/fm-folder/$s" && mv "$out/fm-split"/a/$s/* "$out/fm-split"/b/$s/* "$out/fm-folder/$s/"; done; } ;;
    esac
    for seed in $seeds; do
      for v in $variants; do
        case "$v" in
          recipe) run "fm-recipe-s$seed" train --data "$fmnist" --out "$out/fm-recipe-s$seed" --recipe fashion-mnist --threads "$threads" --seed "$seed" --force ;;
          ema) run "fm-ema-s$seed" train --data "$fmnist" --out "$out/fm-ema-s$seed" --recipe fashion-mnist --model-ema --model-ema-warmup --threads "$threads" --seed "$seed" --force ;;
          reprob) run "fm-reprob-s$seed" train --data "$fmnist" --out "$out/fm-reprob-s$seed" --recipe fashion-mnist --reprob 0.25 --threads "$threads" --seed "$seed" --force ;;
          aa) run "fm-aa-s$seed" train --data "$out/fm-folder" --out "$out/fm-aa-s$seed" --recipe fashion-mnist --image-size 28 --aa rand-m5-mstd0.5-inc1 \
                --scale 0.6 1 --ratio 0.9 1.1 --hflip 0.5 --threads "$threads" --workers "$threads" --seed "$seed" --force ;;
          *) echo "unknown variant $v: recipe, ema, reprob or aa" >&2; exit 2 ;;
        esac
      done
    done
    echo "Single view of each run (and of its ema/ folder where there is one):"
    for seed in $seeds; do
      for v in $variants; do
        folders="$out/fm-$v-s$seed" data="$fmnist"
        [ "$v" = ema ] && folders="$folders $out/fm-ema-s$seed/ema"
        [ "$v" = aa ] && data="$out/fm-folder"
        for f in $folders; do
          echo "+ convmixer eval --weights $f --data $data"
          [ "$dry" = 1 ] || $tool eval --weights "$f" --data "$data" --threads "$threads" | grep -E "^Accuracy" | sed 's/^/  /'
        done
      done
    done
    ;;
  *) echo "unknown measurement '$what': transfer, loader or fashion" >&2; exit 2 ;;
esac
