#!/usr/bin/python3
"""Reference class activation maps (Grad-CAM and EigenCAM) of timm's ConvMixer, for ConvMixerNet.Vision's tests.

For each golden model (timm's ConvMixer with the weights of golden cases A and C) and each test photo, the photo goes
through timm's own evaluation transform (``timm.data.create_transform``), then:

* **Grad-CAM**, computed as pytorch-grad-cam's ``GradCAM`` computes it (``base_cam.py``, ``grad_cam.py``): a forward
  hook on ``model.blocks[-1]`` keeps its output A (the output of the last ConvMixer layer, after its last BatchNorm);
  y = the class logit (``ClassifierOutputTarget``: before softmax); ``torch.autograd.grad(y, A)``; channel weights =
  the spatial mean of dy/dA; map = ReLU(sum_k w_k A_k); ``scale_cam_image``: (map - min) / (max - min + 1e-7), then
  the same scaling once more (``aggregate_multi_layers`` with one layer). Kept at the layer's resolution (no resize).
* **EigenCAM** as pytorch-grad-cam's ``get_2d_projection_with_sign_correction`` computes it: A reshaped to
  (positions, channels), centred over positions, ``np.linalg.svd``, projected on the first right singular vector,
  negated when |min| > |max| (the sign of a singular vector is arbitrary: LAPACK builds may return either), then the
  same ReLU and scaling. Whether plain ``get_2d_projection`` (``EigenCAM``'s own, no sign correction) gave the same
  sign here is recorded as ``eigencam_raw_sign_agrees``, for information.

The arithmetic after A and dy/dA is numpy float32, as in pytorch-grad-cam 1.5.5
(jacobgil/pytorch-grad-cam@084273b3f30b). Each model is explained for its top class and for another class (the most
probable one whose map is not flat). Writes ``reference.json`` under --out. Run from the repository root with
Debian 12's python3-torch 1.13, python3-torchvision 0.14 and an unmodified timm checkout:

    /usr/bin/python3 tools/explain/make_cam_fixtures.py --timm-src PATH/TO/pytorch-image-models \
        --timm-revision COMMIT --out tests/ConvMixer.Vision.Tests/Fixtures/cam
"""
import argparse
import json
import os
import re
import sys

import numpy as np

IMAGES = "tests/ConvMixer.Vision.Tests/Fixtures/preprocessing/images"
PHOTOS = ["cat_landscape.jpg", "rocket_portrait.jpg", "coffee.webp", "camera_gray.png", "hubble_small.bmp"]

# Golden models: weights, timm's hyperparameters, and the input sides they are explained at.
MODELS = [
    {"name": "caseA", "weights": "tests/ConvMixer.Vision.Tests/Fixtures/golden/caseA.pth",
     "args": {"dim": 32, "depth": 2, "kernel_size": 5, "patch_size": 4, "num_classes": 10}, "input_sizes": [32, 48]},
    {"name": "caseC", "weights": "tests/ConvMixer.Core.Tests/Fixtures/golden/caseC.pth",
     "args": {"dim": 16, "depth": 2, "kernel_size": 4, "patch_size": 2, "num_classes": 5}, "input_sizes": [20]},
]

# A map whose range before scaling is below this would make the 1e-4 comparison meaningless.
MIN_RANGE = 1e-3
# The top class must win clearly, so rounding cannot change which class is explained by default.
MIN_TOP_GAP = 1e-3
# The first principal component must be well separated from the second, or its direction is ill-conditioned.
MIN_SINGULAR_RATIO = 1.05


def scale_cam_image(cam):
    """pytorch-grad-cam's utils/image.py scale_cam_image without a target size, for a batch of maps."""
    result = []
    for img in cam:
        img = img - np.min(img)
        img = img / (1e-7 + np.max(img))
        result.append(img)
    return np.float32(result)


def finish(cam):
    """BaseCAM.compute_cam_per_layer (ReLU, scale) then aggregate_multi_layers for one layer (ReLU, mean, scale)."""
    scaled = scale_cam_image(np.maximum(cam, 0))
    layers = np.concatenate([scaled[:, None, :]], axis=1)
    return scale_cam_image(np.mean(np.maximum(layers, 0), axis=1))


def grad_cam(activations, grads):
    weights = np.mean(grads, axis=(2, 3))
    return finish((weights[:, :, None, None] * activations).sum(axis=1))


def projection(activations, sign_correction):
    reshaped = activations.reshape(activations.shape[0], -1).transpose()
    reshaped = reshaped - reshaped.mean(axis=0)
    _, s, vt = np.linalg.svd(reshaped, full_matrices=True)
    result = (reshaped @ vt[0, :]).reshape(activations.shape[1:])
    if sign_correction and abs(result.min()) > abs(result.max()):
        result = -result
    return result, s


def eigen_cam(activations):
    batch = activations.copy()
    batch[np.isnan(batch)] = 0
    corrected, raw, ratios = [], [], []
    for a in batch:
        p, s = projection(a, sign_correction=True)
        q, _ = projection(a, sign_correction=False)
        corrected.append(p)
        raw.append(q)
        ratios.append(float(s[0] / s[1]))
    return finish(np.float32(corrected)), bool(np.array_equal(np.float32(corrected), np.float32(raw))), ratios


def rows(array):
    # float32 values: 9 significant digits keep them exact.
    return [[float(f"{v:.9g}") for v in row] for row in array]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timm-src", required=True, help="folder holding timm's source package (timm/)")
    parser.add_argument("--timm-revision", default="", help="the git commit of --timm-src, recorded in reference.json")
    parser.add_argument("--out", required=True, help="where to write reference.json")
    args = parser.parse_args()

    sys.path.insert(0, os.path.abspath(args.timm_src))
    import timm
    import timm.data
    import torch
    from PIL import Image
    from timm.models.convmixer import ConvMixer

    torch.set_num_threads(1)
    cases = []
    for spec in MODELS:
        model = ConvMixer(**spec["args"])
        model.load_state_dict(torch.load(spec["weights"], map_location="cpu"), strict=True)
        model.eval()
        captured = {}
        hook = model.blocks[-1].register_forward_hook(lambda module, inputs, output: captured.__setitem__("A", output))
        for size in spec["input_sizes"]:
            transform = timm.data.create_transform(input_size=size, crop_pct=0.96, interpolation="bicubic",
                                                   mean=timm.data.IMAGENET_DEFAULT_MEAN, std=timm.data.IMAGENET_DEFAULT_STD)
            for photo in PHOTOS:
                with open(os.path.join(IMAGES, photo), "rb") as f:
                    x = transform(Image.open(f).convert("RGB")).unsqueeze(0)
                logits = model(x)
                a = captured["A"]
                order = logits[0].argsort(descending=True).tolist()
                gap = float(logits[0, order[0]] - logits[0, order[1]])
                if gap < MIN_TOP_GAP:
                    raise SystemExit(f"{spec['name']} {size} {photo}: the top two logits are {gap:.2e} apart")
                activations = a.detach().numpy()
                eigen, raw_agrees, ratios = eigen_cam(activations)
                if ratios[0] < MIN_SINGULAR_RATIO:
                    raise SystemExit(f"{spec['name']} {size} {photo}: first two singular values too close ({ratios[0]:.3f})")
                explained = []
                for c in order:
                    (grads,) = torch.autograd.grad(logits[0, c], a, retain_graph=True)
                    weights = grads.numpy().mean(axis=(2, 3))
                    raw = np.maximum((weights[:, :, None, None] * activations).sum(axis=1), 0)
                    if c != order[0] and float(raw.max() - raw.min()) < MIN_RANGE:
                        continue  # flat for this class: not a useful comparison
                    explained.append({"class": c, "gradcam": rows(grad_cam(activations, grads.numpy())[0])})
                    if len(explained) == 2:
                        break
                cases.append({
                    "model": spec["name"],
                    "input_size": size,
                    "image": photo,
                    "grid": list(activations.shape[2:]),
                    "logits": [float(v) for v in logits[0].detach()],
                    "top_class": order[0],
                    "classes": explained,
                    "eigencam": rows(eigen[0]),
                    "eigencam_first_singular_ratio": ratios[0],
                    "eigencam_raw_sign_agrees": raw_agrees,
                })
        hook.remove()

    os.makedirs(args.out, exist_ok=True)
    document = {
        "generator": "tools/explain/make_cam_fixtures.py",
        "timm_version": timm.__version__,
        "timm_revision": args.timm_revision,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "pytorch_grad_cam": "1.5.5 (jacobgil/pytorch-grad-cam@084273b3f30b), procedure transcribed, not imported",
        "preprocessing": "timm.data.create_transform(input_size, crop_pct=0.96, interpolation='bicubic', ImageNet mean/std)",
        "cases": cases,
    }
    text = json.dumps(document, indent=1)
    # One line per map row or logit vector, so the file stays short and diffs stay readable.
    text = re.sub(r"\[\s*([-+0-9.e,\s]+?)\s*\]", lambda m: "[" + re.sub(r"\s+", " ", m.group(1)) + "]", text)
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        f.write(text + "\n")
    print(f"{len(cases)} cases written to {os.path.join(args.out, 'reference.json')}")


if __name__ == "__main__":
    main()
