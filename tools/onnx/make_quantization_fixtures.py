#!/usr/bin/python3
"""Real images for the int8 agreement test of the ONNX tests: the first images of Fashion-MNIST's test split.

Copies the first --count images and labels of Fashion-MNIST's t10k files (IDX, as the data set ships them) into
gzipped IDX files under --out, and the model folder given with --model (config.json and model.safetensors of a run
of `convmixer train`) into --out/model. Needs only the Python standard library. From the repository root:

    convmixer train --data /usr/share/datasets/fashion-mnist --out RUN --dim 32 --depth 3 --kernel 5 --patch 2 \\
        --epochs 2 --limit 20000 --seed 1
    /usr/bin/python3 tools/onnx/make_quantization_fixtures.py --data /usr/share/datasets/fashion-mnist \\
        --model RUN --count 2256 --out tests/ConvMixer.Onnx.Tests/Fixtures/fashion-mnist
"""
import argparse
import gzip
import os
import shutil
import struct


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    (magic,) = struct.unpack(">I", data[:4])
    dims = struct.unpack(">" + "I" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)])
    return magic, dims, data[4 + 4 * len(dims):]


def write_idx(path, magic, dims, body):
    # mtime=0 keeps the files byte-identical between runs.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(struct.pack(">I", magic) + struct.pack(">" + "I" * len(dims), *dims) + body)


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise SystemExit(f"{folder} has no {stem}[.gz]")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="Fashion-MNIST's folder (t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz])")
    parser.add_argument("--model", required=True, help="the model folder to copy (config.json, model.safetensors)")
    parser.add_argument("--count", type=int, default=2256, help="how many test images to keep (the first ones)")
    parser.add_argument("--out", required=True, help="the fixture folder to write")
    args = parser.parse_args()

    os.makedirs(os.path.join(args.out, "model"), exist_ok=True)
    for stem in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        magic, dims, body = read_idx(find(args.data, stem))
        per_item = len(body) // dims[0]
        write_idx(os.path.join(args.out, stem + ".gz"), magic, (args.count,) + tuple(dims[1:]), body[:args.count * per_item])
    for name in ("config.json", "model.safetensors"):
        shutil.copyfile(os.path.join(args.model, name), os.path.join(args.out, "model", name))


if __name__ == "__main__":
    main()
