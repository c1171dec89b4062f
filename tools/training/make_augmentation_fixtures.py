"""timm's and torchvision's training transforms with fixed random parameters: the reference for the .NET ones.

Applies each operation to one synthetic RGB image with its random choices given explicitly (crop box, interpolation,
operation level, sign), using the library functions themselves: torchvision's functional ops on PIL images and timm's
RandAugment operations, level functions, RandAugment string parser, Mixup/CutMix and ModelEmaV3. Writes the inputs and
outputs as JSON (images as base64 RGB bytes, row by row).

    PYTHONPATH=/path/to/timm-checkout /usr/bin/python3 tools/training/make_augmentation_fixtures.py \
        --out tests/ConvMixer.Training.Tests/Fixtures/augmentation.json
"""
import argparse
import base64
import json
import random

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from PIL import Image
from timm.data import auto_augment as aa
from timm.data.mixup import Mixup, cutmix_bbox_and_lam, mixup_target
from timm.utils.model_ema import ModelEmaV3

FILL = (124, 116, 104)  # timm's img_mean for ImageNet's mean
BILINEAR, BICUBIC = Image.BILINEAR, Image.BICUBIC


def source_image(width=41, height=31, seed=7):
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255.0 / width, y * 255.0 / height, (x + y) * 127.0 / (width + height) + 60], axis=-1)
    noisy = base * 0.8 + rng.randint(0, 52, size=base.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")


def encode(img):
    assert img.mode == "RGB"
    return {"width": img.size[0], "height": img.size[1], "rgb": base64.b64encode(img.tobytes()).decode("ascii")}


def interp_name(resample):
    return {BILINEAR: "bilinear", BICUBIC: "bicubic"}[resample]


def image_cases(img):
    cases = []

    def add(op, out, **params):
        cases.append({"op": op, "params": params, "image": encode(out)})

    # RandomResizedCrop applies torchvision's resized_crop with the box it drew.
    for (i, j, h, w), size, resample in [((3, 5, 20, 27), 24, BILINEAR), ((0, 0, 31, 41), 16, BICUBIC), ((10, 2, 9, 7), 20, BICUBIC)]:
        out = F.resized_crop(img, i, j, h, w, [size, size], F.InterpolationMode(interp_name(resample)))
        add("random_resized_crop", out, top=i, left=j, height=h, width=w, size=size, interpolation=interp_name(resample))
    add("hflip", F.hflip(img))
    # timm's RandAugment operations, called with their level arguments.
    add("AutoContrast", aa.auto_contrast(img))
    add("Equalize", aa.equalize(img))
    add("Invert", aa.invert(img))
    for bits in (1, 2, 4, 7):
        add("Posterize", aa.posterize(img, bits), value=bits)
    for thresh in (0, 100, 256):
        add("Solarize", aa.solarize(img, thresh), value=thresh)
    for add_ in (0, 49, 110):
        add("SolarizeAdd", aa.solarize_add(img, add_), value=add_)
    for name, fn in [("Color", aa.color), ("Contrast", aa.contrast), ("Brightness", aa.brightness), ("Sharpness", aa.sharpness)]:
        for factor in (0.1, 0.55, 1.0, 1.37, 1.9):
            add(name, fn(img, factor), value=factor)
    for resample in (BILINEAR, BICUBIC):
        for degrees in (-27.0, 13.5):
            add("Rotate", aa.rotate(img, degrees, fillcolor=FILL, resample=resample), value=degrees, interpolation=interp_name(resample))
        for factor in (-0.27, 0.15):
            add("ShearX", aa.shear_x(img, factor, fillcolor=FILL, resample=resample), value=factor, interpolation=interp_name(resample))
            add("ShearY", aa.shear_y(img, factor, fillcolor=FILL, resample=resample), value=factor, interpolation=interp_name(resample))
        for pct in (-0.405, 0.2):
            add("TranslateXRel", aa.translate_x_rel(img, pct, fillcolor=FILL, resample=resample), value=pct, interpolation=interp_name(resample))
            add("TranslateYRel", aa.translate_y_rel(img, pct, fillcolor=FILL, resample=resample), value=pct, interpolation=interp_name(resample))
    # torchvision's ColorJitter steps.
    for factor in (0.6, 1.4):
        add("adjust_brightness", F.adjust_brightness(img, factor), value=factor)
        add("adjust_contrast", F.adjust_contrast(img, factor), value=factor)
        add("adjust_saturation", F.adjust_saturation(img, factor), value=factor)
    for hue in (-0.31, -0.05, 0.1, 0.5):
        add("adjust_hue", F.adjust_hue(img, hue), value=hue)
    return cases


def level_cases():
    """Each RandAugment op's argument for a magnitude, without (r=0) and with (r=1) the random sign flip."""
    hparams = dict(translate_const=100, img_mean=FILL)
    cases = []
    original = aa.random.random
    try:
        for name in aa._RAND_TRANSFORMS + aa._RAND_INCREASING_TRANSFORMS:
            fn = aa.LEVEL_TO_ARG[name]
            for magnitude in (0.0, 3.7, 9.0, 10.0):
                for r in (0.0, 1.0):
                    aa.random.random = lambda r=r: r
                    args = fn(magnitude, hparams) if fn is not None else ()
                    cases.append({"name": name, "magnitude": magnitude, "negate": r > 0.5, "args": [float(a) for a in args]})
    finally:
        aa.random.random = original
    return cases


def rand_augment_configs():
    out = []
    for config in ("rand-m9-mstd0.5-inc1", "rand-m9-mstd0.5", "rand-n3-m12-p0.7-mmax15", "rand-m7-mstd101-inc1", "rand"):
        t = aa.rand_augment_transform(config, dict(translate_const=100, img_mean=FILL))
        first = t.ops[0]
        out.append({
            "config": config, "num_layers": t.num_layers, "ops": [op.name for op in t.ops], "prob": first.prob,
            "magnitude": first.magnitude, "magnitude_std": first.magnitude_std if first.magnitude_std != float("inf") else "inf",
            "magnitude_max": first.magnitude_max,
        })
    return out


def mixup_cases():
    cases = []
    torch.manual_seed(3)
    x0 = torch.randn(4, 3, 10, 13)
    target = torch.tensor([2, 0, 4, 1])
    for lam, use_cutmix, smoothing, seed in [(0.7, False, 0.1, 0), (0.35, True, 0.1, 1), (0.9, True, 0.0, 2), (1.0, False, 0.1, 3)]:
        m = Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, label_smoothing=smoothing, num_classes=5)
        m._params_per_batch = lambda lam=lam, use_cutmix=use_cutmix: (lam, use_cutmix)
        np.random.seed(seed)
        cy = int(np.random.randint(0, 10))
        cx = int(np.random.randint(0, 13))
        np.random.seed(seed)
        x, y = m(x0.clone(), target.clone())
        np.random.seed(seed)
        box, corrected = cutmix_bbox_and_lam(x0.shape, lam) if use_cutmix else ((0, 0, 0, 0), lam)
        cases.append({
            "lam": lam, "use_cutmix": use_cutmix, "smoothing": smoothing, "cy": cy, "cx": cx,
            "box": [int(v) for v in box], "corrected_lam": float(corrected),
            "mixed": x.flatten().tolist(), "target": y.flatten().tolist(),
        })
    smooth = mixup_target(target, 5, lam=0.25, smoothing=0.2)
    return {"input": x0.flatten().tolist(), "shape": list(x0.shape), "labels": target.tolist(), "classes": 5,
            "cases": cases, "target_lam_0_25_smoothing_0_2": smooth.flatten().tolist()}


def ema_cases():
    """ModelEmaV3 over a conv + BatchNorm module whose weights move between updates, with and without warm-up."""
    out = []
    for use_warmup, decay in [(False, 0.9), (True, 0.99)]:
        torch.manual_seed(11)
        model = torch.nn.Sequential(dict_modules())
        ema = ModelEmaV3(model, decay=decay, use_warmup=use_warmup)
        steps = []
        for step in range(1, 6):
            with torch.no_grad():
                for p in model.parameters():
                    p.add_(torch.randn_like(p) * 0.5)
                bn = model.bn
                bn.running_mean.add_(torch.randn_like(bn.running_mean))
                bn.running_var.mul_(1.5)
                bn.num_batches_tracked.add_(3)
            ema.update(model, step=step)
            steps.append({
                "step": step, "decay": ema.get_decay(step),
                "model": {k: v.flatten().tolist() for k, v in model.state_dict().items()},
                "ema": {k: v.flatten().tolist() for k, v in ema.module.state_dict().items()},
            })
        init = {k: v.flatten().tolist() for k, v in torch.nn.Sequential(dict_modules_seeded()).state_dict().items()}
        out.append({"use_warmup": use_warmup, "decay": decay, "initial": init, "steps": steps})
    return out


def dict_modules():
    from collections import OrderedDict
    return OrderedDict(conv=torch.nn.Conv2d(2, 3, 3), bn=torch.nn.BatchNorm2d(3))


def dict_modules_seeded():
    torch.manual_seed(11)
    return dict_modules()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    random.seed(0)
    img = source_image()
    fixture = {
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "pillow": Image.__version__},
        "fill": FILL, "source": encode(img), "cases": image_cases(img), "levels": level_cases(),
        "rand_augment": rand_augment_configs(), "mixup": mixup_cases(), "ema": ema_cases(),
    }
    with open(args.out, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
