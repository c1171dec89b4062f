#!/usr/bin/python3
"""Model folders written by timm's own code, and what timm's own pipeline makes of a few photos with them.

Writes, under --out (tests/ConvMixer.Vision.Tests/Fixtures/timm):

* ``hub_folder/``: a small timm ``ConvMixer`` (dim 16, depth 2, kernel 5, patch 4, GELU, 7 classes) with a
  ``pretrained_cfg`` of its own (a name timm does not register, 7 class names, a mean and std that are not
  ImageNet's, bilinear, crop_pct 0.9, input_size (3, 48, 48)), saved as timm's ``save_for_hf`` saves it:
  ``config.json`` by timm's ``save_config_for_hf`` and the weights by ``torch.save(model.state_dict())`` as
  ``pytorch_model.bin`` (``save_for_hf(..., safe_serialization=False)`` does exactly that, but asserts that
  huggingface_hub is installed, and neither huggingface_hub nor the safetensors package is a Debian 12 package, so
  no ``model.safetensors`` is written).
* ``legacy_folder/``: another small ConvMixer (dim 12, depth 1, kernel 3, patch 6, GELU, 4 classes) in the flat
  single-dict layout of timm 0.6's ``save_for_hf`` (no ``pretrained_cfg``, ``labels`` instead of ``label_names``);
  that function's five lines are transcribed below (it too asserts huggingface_hub), since the layout is what is
  tested and current timm still reads it.
* ``reference.json``: for each folder, the data config and class names timm reads back from it
  (``load_model_config_from_path``, ``load_state_dict_from_path``, ``resolve_data_config``), and for each photo the
  logits and probabilities of timm's own pipeline: ``Image.open(f).convert('RGB')`` (timm's loader; no EXIF rotation, so only
  photos without an orientation tag are used), ``create_transform(**data_config)``, the model, softmax.

timm is not installed from a registry: pass a checkout of its source tree (the folder that holds ``timm/``) with
--timm-src. Run from the repository root with Debian 12's python3-torch 1.13 and python3-torchvision 0.14:

    /usr/bin/python3 tools/timm/make_hub_fixtures.py --timm-src PATH/TO/pytorch-image-models \
        --images tests/ConvMixer.Vision.Tests/Fixtures/preprocessing/images \
        --out tests/ConvMixer.Vision.Tests/Fixtures/timm --timm-revision COMMIT
"""
import argparse
import json
import os
import shutil
import sys

PHOTOS = ["cat_landscape.jpg", "rocket_portrait.jpg", "coffee.webp", "hubble_small.bmp"]

HUB_LABELS = ["anorak", "bicycle", "canoe", "dahlia", "egret", "fjord", "gazebo"]
LEGACY_LABELS = ["north", "east", "south", "west"]

# The smallest gap between the two most probable classes that a fixture photo may have, so that the top-1 class
# cannot flip on rounding alone.
MIN_TOP2_GAP = 0.02


def perturb(model, torch, seed):
    """Random weights and BatchNorm statistics far from their initial values, and a sharp classifier."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            noise = torch.randn(tensor.shape, generator=generator)
            if name.endswith("running_var"):
                tensor.copy_(0.5 + noise.abs())
            elif name.endswith("running_mean"):
                tensor.copy_(0.2 * noise)
            elif name.startswith("head."):
                tensor.copy_(3.0 * noise)
            else:
                tensor.add_(0.3 * noise)
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.num_batches_tracked.fill_(100)


def write_hub_folder(folder, torch, timm):
    from timm.models._hub import save_config_for_hf
    from timm.models.convmixer import ConvMixer

    torch.manual_seed(10)
    model = ConvMixer(dim=16, depth=2, kernel_size=5, patch_size=4, num_classes=len(HUB_LABELS))
    perturb(model, torch, seed=11)
    model.pretrained_cfg = {
        "architecture": "convmixer_16_2_ks5_p4_fixture",
        "num_classes": len(HUB_LABELS),
        "input_size": (3, 48, 48),
        "pool_size": None,
        "crop_pct": 0.9,
        "crop_mode": "center",
        "interpolation": "bilinear",
        "mean": (0.52, 0.47, 0.41),
        "std": (0.27, 0.25, 0.29),
        "first_conv": "stem.0",
        "classifier": "head",
        "license": "cc0-1.0",
        "description": "A tiny ConvMixer with random weights, written by timm for the .NET tests.",
        "origin_url": "https://github.com/huggingface/pytorch-image-models",
        "url": "",
    }
    os.makedirs(folder, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(folder, "pytorch_model.bin"))
    from pathlib import Path
    save_config_for_hf(
        model,
        Path(folder) / "config.json",
        model_config={"label_names": HUB_LABELS},
        model_args={"dim": 16, "depth": 2, "kernel_size": 5, "patch_size": 4},
    )


def write_legacy_folder(folder, torch):
    from timm.models.convmixer import ConvMixer

    torch.manual_seed(20)
    model = ConvMixer(dim=12, depth=1, kernel_size=3, patch_size=6, num_classes=len(LEGACY_LABELS))
    perturb(model, torch, seed=21)
    # The pretrained_cfg of a timm 0.6 model, with a name timm does not register.
    model.pretrained_cfg = {
        "url": "",
        "num_classes": len(LEGACY_LABELS),
        "input_size": (3, 40, 40),
        "pool_size": None,
        "crop_pct": 0.8,
        "interpolation": "bicubic",
        "mean": (0.45, 0.45, 0.45),
        "std": (0.22, 0.23, 0.24),
        "first_conv": "stem.0",
        "classifier": "head",
        "architecture": "convmixer_12_1_ks3_p6_fixture",
    }
    os.makedirs(folder, exist_ok=True)
    # timm 0.6.12's save_for_hf (timm/models/hub.py) after its huggingface_hub assert, transcribed.
    model_config = {"labels": LEGACY_LABELS}
    torch.save(model.state_dict(), os.path.join(folder, "pytorch_model.bin"))
    hf_config = model.pretrained_cfg
    hf_config["num_classes"] = model_config.pop("num_classes", model.num_classes)
    hf_config["num_features"] = model_config.pop("num_features", model.num_features)
    hf_config["labels"] = model_config.pop("labels", [f"LABEL_{i}" for i in range(hf_config["num_classes"])])
    hf_config.update(model_config)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(hf_config, f, indent=2)


def read_back(folder, shape, torch, timm):
    """The folder as timm reads it: its config, its weights, its data config and class names."""
    from timm.models._hub import load_model_config_from_path, load_state_dict_from_path
    from timm.models.convmixer import ConvMixer

    pretrained_cfg, architecture, model_args = load_model_config_from_path(folder)
    # Unregistered names cannot go through timm.create_model; build the class the way its variants do.
    model = ConvMixer(**{**shape, **model_args}, num_classes=pretrained_cfg["num_classes"])
    model.load_state_dict(load_state_dict_from_path(folder), strict=True)
    model.pretrained_cfg = pretrained_cfg
    model.eval()
    data_config = timm.data.resolve_data_config(model=model)
    return model, architecture, pretrained_cfg, data_config


def classify(model, data_config, images, torch, timm):
    from PIL import Image

    transform = timm.data.create_transform(**data_config)
    results = []
    for name in PHOTOS:
        with open(os.path.join(images, name), "rb") as f:
            image = Image.open(f).convert("RGB")
        with torch.no_grad():
            output = model(transform(image).unsqueeze(0))
        logits, probabilities = output[0], output.softmax(-1)[0]
        top2 = probabilities.topk(2).values
        gap = float(top2[0] - top2[1])
        if gap < MIN_TOP2_GAP:
            raise SystemExit(f"{name}: the two most probable classes are {gap:.4f} apart; pick other weights.")
        results.append({
            "image": name,
            "top1": int(probabilities.argmax()),
            "logits": [float(x) for x in logits],
            "probabilities": [float(p) for p in probabilities],
        })
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timm-src", required=True, help="folder holding timm's source package (timm/)")
    parser.add_argument("--images", required=True, help="the preprocessing fixtures' images folder")
    parser.add_argument("--out", required=True, help="where to write the folders and reference.json")
    parser.add_argument("--timm-revision", default="", help="the git commit of --timm-src, recorded in reference.json")
    args = parser.parse_args()

    sys.path.insert(0, os.path.abspath(args.timm_src))
    import timm
    import timm.data
    import torch
    import torchvision
    import PIL

    os.makedirs(args.out, exist_ok=True)
    cases = [
        ("hub_folder", {}, lambda folder: write_hub_folder(folder, torch, timm)),
        # A legacy file has no model_args: the architecture's shape is what its name would have fixed.
        ("legacy_folder", {"dim": 12, "depth": 1, "kernel_size": 3, "patch_size": 6}, lambda folder: write_legacy_folder(folder, torch)),
    ]
    folders = []
    for name, shape, write in cases:
        folder = os.path.join(args.out, name)
        shutil.rmtree(folder, ignore_errors=True)
        write(folder)
        model, architecture, pretrained_cfg, data_config = read_back(folder, shape, torch, timm)
        folders.append({
            "folder": name,
            "architecture": architecture,
            "num_classes": pretrained_cfg["num_classes"],
            "label_names": list(pretrained_cfg["label_names"]),
            "data_config": {k: list(v) if isinstance(v, tuple) else v for k, v in data_config.items()},
            "photos": classify(model, data_config, args.images, torch, timm),
        })
        print(f"{name}: top-1 {[p['top1'] for p in folders[-1]['photos']]}, {data_config}")

    reference = {
        "made_with": {"timm": timm.__version__, "timm_revision": args.timm_revision, "torch": torch.__version__, "torchvision": torchvision.__version__, "pillow": PIL.__version__},
        "folders": folders,
    }
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(reference, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
