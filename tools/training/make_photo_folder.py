"""Makes a synthetic photo folder for fine-tuning and loader benchmarks: one sub-folder per class, JPEG files of
photo-like sizes (a few hundred pixels a side, random aspect), smooth coloured backgrounds with noise and a
class-specific shape at a random place and size, so a model can learn the classes and decoding costs what a photo's does.

    python3 tools/training/make_photo_folder.py --out photos --images 20000 --classes 10 --seed 0

Deterministic for a given seed. Needs Pillow and numpy.
"""
import argparse
import os

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("ellipse", "rectangle", "triangle", "cross", "ring", "bars", "diamond", "checker", "star", "dots")


def draw_shape(draw, kind, box, colour, rng):
    x0, y0, x1, y1 = box
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    if kind == "ellipse":
        draw.ellipse(box, fill=colour)
    elif kind == "rectangle":
        draw.rectangle(box, fill=colour)
    elif kind == "triangle":
        draw.polygon([(cx, y0), (x1, y1), (x0, y1)], fill=colour)
    elif kind == "cross":
        draw.rectangle((cx - w / 8, y0, cx + w / 8, y1), fill=colour)
        draw.rectangle((x0, cy - h / 8, x1, cy + h / 8), fill=colour)
    elif kind == "ring":
        draw.ellipse(box, outline=colour, width=max(2, int(w / 8)))
    elif kind == "bars":
        for i in range(4):
            draw.rectangle((x0 + i * w / 4, y0, x0 + i * w / 4 + w / 8, y1), fill=colour)
    elif kind == "diamond":
        draw.polygon([(cx, y0), (x1, cy), (cx, y1), (x0, cy)], fill=colour)
    elif kind == "checker":
        for i in range(4):
            for j in range(4):
                if (i + j) % 2 == 0:
                    draw.rectangle((x0 + i * w / 4, y0 + j * h / 4, x0 + (i + 1) * w / 4, y0 + (j + 1) * h / 4), fill=colour)
    elif kind == "star":
        points = []
        for k in range(10):
            r = (w / 2) if k % 2 == 0 else (w / 5)
            a = np.pi / 2 + k * np.pi / 5
            points.append((cx + r * np.cos(a), cy - r * np.sin(a) * h / w))
        draw.polygon(points, fill=colour)
    else:
        for _ in range(12):
            px, py = rng.uniform(x0, x1), rng.uniform(y0, y1)
            draw.ellipse((px - w / 14, py - w / 14, px + w / 14, py + w / 14), fill=colour)


def make_image(rng, label, classes):
    width = int(rng.integers(320, 641))
    height = int(width * rng.uniform(0.6, 1.4))
    # A smooth background: a low-resolution random colour field upsampled, plus per-pixel noise.
    field = rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    background = np.asarray(Image.fromarray(field, "RGB").resize((width, height), Image.BICUBIC), dtype=np.int16)
    background = np.clip(background + rng.integers(-12, 13, size=background.shape), 0, 255).astype(np.uint8)
    image = Image.fromarray(background, "RGB")
    side = rng.uniform(0.3, 0.7) * min(width, height)
    x0, y0 = rng.uniform(0, width - side), rng.uniform(0, height - side)
    colour = tuple(int(c) for c in rng.integers(0, 256, size=3))
    draw_shape(ImageDraw.Draw(image), SHAPES[label % len(SHAPES)], (x0, y0, x0 + side, y0 + side), colour, rng)
    return image


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to create (must not exist or be empty)")
    parser.add_argument("--images", type=int, default=20000)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quality", type=int, default=90, help="JPEG quality")
    args = parser.parse_args()
    if not 2 <= args.classes <= len(SHAPES):
        parser.error(f"--classes must be between 2 and {len(SHAPES)}")
    if args.images < args.classes:
        parser.error("--images must be at least --classes")
    if os.path.isdir(args.out) and os.listdir(args.out):
        parser.error(f"{args.out} exists and is not empty")
    names = [f"{k:02d}-{SHAPES[k]}" for k in range(args.classes)]
    for name in names:
        os.makedirs(os.path.join(args.out, name), exist_ok=True)
    rng = np.random.default_rng(args.seed)
    for i in range(args.images):
        label = i % args.classes
        path = os.path.join(args.out, names[label], f"{i:06d}.jpg")
        make_image(rng, label, args.classes).save(path + ".part", "JPEG", quality=args.quality)
        os.replace(path + ".part", path)  # a killed run leaves no truncated image
        if (i + 1) % 1000 == 0:
            print(f"{i + 1}/{args.images}", flush=True)


if __name__ == "__main__":
    main()
