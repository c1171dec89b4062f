"""Exports Fashion-MNIST (IDX, raw or gzip) as two image folders of grey PNG files for the transfer benchmark of
docs/training-benchmark.md: `a` holds classes 0-4 (every training image under train/, every test image under val/),
`b` classes 5-9 with only the first PER_CLASS training images of each class under train/ and every test image under
val/. Standard library only (the PNG files are written with zlib).

    python3 tools/training/export_fashion_mnist_halves.py --idx /usr/share/datasets/fashion-mnist --out fm-halves --per-class 100
"""
import argparse
import gzip
import os
import struct
import zlib

CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise SystemExit(f"{stem}[.gz] not found in {folder}")


def write_png(path, width, height, grey):
    raw = b"".join(b"\x00" + grey[y * width:(y + 1) * width] for y in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def export(idx, split, out, per_class):
    prefix = "train" if split == "train" else "t10k"
    (count, height, width), pixels = read_idx(find(idx, f"{prefix}-images-idx3-ubyte"))
    _, labels = read_idx(find(idx, f"{prefix}-labels-idx1-ubyte"))
    taken = {}
    size = height * width
    for i in range(count):
        label = labels[i]
        half = "a" if label < 5 else "b"
        if split == "train" and half == "b" and taken.get(label, 0) >= per_class:
            continue
        taken[label] = taken.get(label, 0) + 1
        folder = os.path.join(out, half, "train" if split == "train" else "val", CLASSES[label])
        os.makedirs(folder, exist_ok=True)
        write_png(os.path.join(folder, f"{i:05d}.png"), width, height, pixels[i * size:(i + 1) * size])
    return taken


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idx", required=True, help="Fashion-MNIST IDX folder")
    parser.add_argument("--out", required=True, help="folder to create")
    parser.add_argument("--per-class", type=int, default=100, help="training images per class of half b")
    args = parser.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        raise SystemExit(f"{args.out} exists and is not empty")
    for split in ("train", "test"):
        taken = export(args.idx, split, args.out, args.per_class)
        print(split, {CLASSES[k]: v for k, v in sorted(taken.items())})


if __name__ == "__main__":
    main()
