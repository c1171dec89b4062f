#!/usr/bin/python3
"""Reference fixtures for ConvMixer.Vision's preprocessing, made with the reference pipeline.

Two steps:

1. ``images``: makes small test images from scikit-image's sample photographs (public domain or
   CC0, see the fixture README). On Debian: ``apt-get install python3-skimage`` provides them in
   /usr/lib/python3/dist-packages/skimage/data. Needs only Pillow.
2. ``expected``: runs every test image through torchvision's transforms on PIL images, exactly as
   timm evaluates (``Image.open(f).convert('RGB')``, Resize(floor(size / crop_pct)), CenterCrop,
   ToTensor, Normalize), and writes the results next to a manifest. Needs torch and torchvision
   (Debian: python3-torch, python3-torchvision, python3-pil).

    /usr/bin/python3 tools/vision/make_preprocessing_fixtures.py images \
        --skimage-data /usr/lib/python3/dist-packages/skimage/data \
        --out tests/ConvMixer.Vision.Tests/Fixtures/preprocessing/images
    /usr/bin/python3 tools/vision/make_preprocessing_fixtures.py expected \
        --fixtures tests/ConvMixer.Vision.Tests/Fixtures/preprocessing

Expected outputs are stored as the uint8 crop that torchvision's ToTensor receives (HWC, gzip),
which determines the normalised tensor; a few small cases also store the normalised float32
tensor (CHW, gzip) so the tests check the normalisation arithmetic against torchvision itself.
"""
import argparse
import gzip
import hashlib
import io
import json
import math
import os
import sys

import numpy as np
from PIL import Image, ImageOps

# Orientation tag value -> PIL transpose that undoes it (the inverse of what exif_transpose applies).
STORE_FOR_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}

DEFAULT = {"input_size": 224, "crop_pct": 0.96, "interpolation": "bicubic",
           "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}


def downscale(img, width, height):
    return img.resize((width, height), Image.Resampling.LANCZOS)


def make_images(data_dir, out):
    os.makedirs(out, exist_ok=True)

    def src(name):
        return Image.open(os.path.join(data_dir, name))

    chelsea = src("chelsea.png").convert("RGB")          # 451x300, CC0
    coffee = src("coffee.png").convert("RGB")            # 600x400, CC0
    astronaut = src("astronaut.png").convert("RGB")      # 512x512, public domain
    rocket = src("rocket.jpg").convert("RGB")            # 640x427, public domain
    camera = src("camera.png")                           # 512x512 L, CC0
    coins = src("coins.png")                             # 384x303 L, no known copyright restrictions
    hubble = src("hubble_deep_field.jpg").convert("RGB") # 1000x872, public domain

    # Landscape colour JPEG, shorter side 240: a mild shrink to 233.
    downscale(chelsea, 360, 240).save(os.path.join(out, "cat_landscape.jpg"), quality=90)
    # Portrait colour JPEG (rocket cut upright), shorter side 200: an enlargement to 233.
    downscale(rocket.crop((200, 0, 485, 427)), 200, 300).save(os.path.join(out, "rocket_portrait.jpg"), quality=90)
    # Lossy WebP, strong shrink (300 -> 233).
    downscale(coffee, 450, 300).save(os.path.join(out, "coffee.webp"), quality=85)
    # Grayscale PNG (mode L), square.
    downscale(camera, 288, 288).save(os.path.join(out, "camera_gray.png"), optimize=True)
    # Grayscale JPEG, non-square, original size.
    coins.save(os.path.join(out, "coins_gray.jpg"), quality=90)
    # PNG with an alpha channel: colour values under alpha are kept (convert('RGB') drops alpha).
    rgba = downscale(astronaut, 256, 256).convert("RGBA")
    alpha = Image.linear_gradient("L").resize((256, 256)).point(lambda v: 40 + v * 215 // 255)
    rgba.putalpha(alpha)
    rgba.save(os.path.join(out, "astronaut_alpha.png"), optimize=True)
    # Uncompressed 24-bit BMP, small: enlargement (120 -> 233).
    downscale(hubble.crop((100, 100, 900, 700)), 160, 120).save(os.path.join(out, "hubble_small.bmp"))
    # Palette GIF with two frames: only the first one counts.
    first = downscale(coffee, 300, 200).quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    second = ImageOps.invert(downscale(coffee, 300, 200)).quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    first.save(os.path.join(out, "coffee_two_frames.gif"), save_all=True, append_images=[second], duration=100, loop=0)
    # Palette PNG (mode P).
    downscale(chelsea, 240, 160).quantize(colors=64).save(os.path.join(out, "cat_palette.png"), optimize=True)

    # EXIF orientation 1..8: the stored pixels are the upright image transformed so that a viewer
    # honouring the tag shows the upright image.
    upright = downscale(chelsea, 72, 48)
    for tag, transpose in STORE_FOR_ORIENTATION.items():
        stored = upright if transpose is None else upright.transpose(transpose)
        exif = Image.Exif()
        exif[0x0112] = tag
        stored.save(os.path.join(out, f"exif_orientation_{tag}.jpg"), quality=95, exif=exif.tobytes())


def reference_transform(config):
    import torchvision.transforms as T
    from torchvision.transforms import InterpolationMode
    scale_size = math.floor(config["input_size"] / config["crop_pct"])
    modes = {"nearest": InterpolationMode.NEAREST, "bilinear": InterpolationMode.BILINEAR,
             "bicubic": InterpolationMode.BICUBIC, "lanczos": InterpolationMode.LANCZOS,
             "box": InterpolationMode.BOX, "hamming": InterpolationMode.HAMMING}
    # Same order as timm's transforms_factory.transforms_imagenet_eval (crop_mode='center').
    crop = T.Compose([T.Resize(scale_size, interpolation=modes[config["interpolation"]]),
                      T.CenterCrop(config["input_size"])])
    normalise = T.Compose([T.ToTensor(), T.Normalize(config["mean"], config["std"])])
    return crop, normalise


def write_gz(path, array):
    data = np.ascontiguousarray(array).tobytes()
    # mtime=0 keeps the files byte-identical between runs.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()


def load_rgb(path, exif_transpose):
    img = Image.open(path)
    if exif_transpose:
        img = ImageOps.exif_transpose(img)
    return img.convert("RGB")


def make_expected(fixtures):
    import torch
    import torchvision
    torch.set_num_threads(1)
    images_dir = os.path.join(fixtures, "images")
    out_dir = os.path.join(fixtures, "expected")
    os.makedirs(out_dir, exist_ok=True)

    small = {**DEFAULT, "input_size": 64}
    cases = [
        # (case name, image, config, apply EXIF, also store the float tensor)
        ("cat_landscape", "cat_landscape.jpg", DEFAULT, False, False),
        ("rocket_portrait", "rocket_portrait.jpg", DEFAULT, False, False),
        ("coffee_webp", "coffee.webp", DEFAULT, False, False),
        ("camera_gray", "camera_gray.png", DEFAULT, False, False),
        ("coins_gray", "coins_gray.jpg", DEFAULT, False, False),
        ("astronaut_alpha", "astronaut_alpha.png", DEFAULT, False, False),
        ("hubble_bmp", "hubble_small.bmp", DEFAULT, False, False),
        ("coffee_gif_first_frame", "coffee_two_frames.gif", DEFAULT, False, False),
        ("cat_palette", "cat_palette.png", DEFAULT, False, False),
        ("cat_small_bicubic", "cat_landscape.jpg", small, False, True),
        ("rocket_small_bilinear", "rocket_portrait.jpg", {**small, "interpolation": "bilinear", "crop_pct": 0.875}, False, True),
        ("coffee_small_nearest", "coffee.webp", {**small, "interpolation": "nearest", "crop_pct": 1.0}, False, True),
        ("coins_small_lanczos", "coins_gray.jpg", {**small, "interpolation": "lanczos", "crop_pct": 0.9}, False, True),
        ("camera_custom_stats", "camera_gray.png",
         {**small, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "crop_pct": 0.95}, False, True),
        # Box and Hamming, each shrinking (support widened by the scale) and enlarging.
        ("coffee_small_box", "coffee.webp", {**small, "interpolation": "box", "crop_pct": 0.9}, False, True),
        ("hubble_box", "hubble_small.bmp", {**DEFAULT, "interpolation": "box"}, False, False),
        ("cat_small_hamming", "cat_landscape.jpg", {**small, "interpolation": "hamming", "crop_pct": 0.875}, False, True),
        ("hubble_hamming", "hubble_small.bmp", {**DEFAULT, "interpolation": "hamming"}, False, False),
    ]
    manifest = {
        "generator": "tools/vision/make_preprocessing_fixtures.py",
        "torch": torch.__version__, "torchvision": torchvision.__version__, "pillow": Image.__version__,
        "pipeline": "Image.open(f)[.exif_transpose].convert('RGB') -> Resize(floor(input_size / crop_pct), "
                    "interpolation) -> CenterCrop(input_size) -> ToTensor -> Normalize(mean, std)",
        "cases": [],
        "orientation": [],
    }
    for name, image, config, exif, store_float in cases:
        crop, normalise = reference_transform(config)
        img = load_rgb(os.path.join(images_dir, image), exif)
        cropped = crop(img)
        pixels = np.asarray(cropped, dtype=np.uint8)  # HWC
        entry = {"name": name, "image": image, "source_size": list(Image.open(os.path.join(images_dir, image)).size),
                 "config": config, "apply_exif": exif,
                 "crop_uint8_hwc": {"path": f"expected/{name}.crop.u8.gz", "shape": list(pixels.shape),
                                    "sha256": write_gz(os.path.join(out_dir, f"{name}.crop.u8.gz"), pixels)}}
        if store_float:
            tensor = normalise(cropped).numpy().astype("<f4")  # CHW
            entry["normalised_float32_chw"] = {"path": f"expected/{name}.input.f32.gz", "shape": list(tensor.shape),
                                               "sha256": write_gz(os.path.join(out_dir, f"{name}.input.f32.gz"), tensor)}
        manifest["cases"].append(entry)

    # EXIF orientation: the upright pixels PIL produces for each tagged file.
    for tag in STORE_FOR_ORIENTATION:
        image = f"exif_orientation_{tag}.jpg"
        pixels = np.asarray(load_rgb(os.path.join(images_dir, image), True), dtype=np.uint8)
        stored = Image.open(os.path.join(images_dir, image)).size
        manifest["orientation"].append({
            "tag": tag, "image": image, "stored_size": list(stored),
            "upright_uint8_hwc": {"path": f"expected/exif_orientation_{tag}.u8.gz", "shape": list(pixels.shape),
                                  "sha256": write_gz(os.path.join(out_dir, f"exif_orientation_{tag}.u8.gz"), pixels)}})

    with open(os.path.join(fixtures, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    images = sub.add_parser("images")
    images.add_argument("--skimage-data", required=True)
    images.add_argument("--out", required=True)
    expected = sub.add_parser("expected")
    expected.add_argument("--fixtures", required=True)
    args = parser.parse_args()
    if args.step == "images":
        make_images(args.skimage_data, args.out)
    else:
        make_expected(args.fixtures)


if __name__ == "__main__":
    sys.exit(main())
