"""Checks that checkpoints saved by ConvMixer.Core load into PyTorch and give the same logits.

For every model in <folder>/manifest.json (written by the ExportForPyTorch tool), loads <name>.safetensors and
<name>.pth into timm's ConvMixer architecture and into the official repository's nn.Sequential architecture with
load_state_dict(strict=True), runs <folder>/input.bin through each in eval mode, compares with the .NET logits,
and writes <name>.<architecture>.<format>.python_logits.bin and results.json into the folder (the .NET tests use
them as fixtures; they do not need Python). Run from the repository root:

    dotnet run --project tools/checkpoints/ExportForPyTorch -c Release -- tests/ConvMixer.Core.Tests/Fixtures/export
    python3 tools/checkpoints/check_export.py tests/ConvMixer.Core.Tests/Fixtures/export

Needs only PyTorch (1.13 was used); timm and the safetensors package are not needed: both architectures are
written below as their sources define them, and .safetensors is read from its documented layout.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

ACTIVATIONS = {"gelu": nn.GELU, "relu": nn.ReLU}


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x) + x


def mixer_layer(dim, kernel_size, act):
    return nn.Sequential(
        Residual(nn.Sequential(nn.Conv2d(dim, dim, kernel_size, groups=dim, padding="same"), act(), nn.BatchNorm2d(dim))),
        nn.Conv2d(dim, dim, kernel_size=1), act(), nn.BatchNorm2d(dim))


class TimmConvMixer(nn.Module):
    """timm.models.convmixer.ConvMixer with global_pool='avg' (same module names, so the same state-dict keys)."""

    def __init__(self, dim, depth, kernel_size, patch_size, in_chans, num_classes, act):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_chans, dim, kernel_size=patch_size, stride=patch_size), act(), nn.BatchNorm2d(dim))
        self.blocks = nn.Sequential(*[mixer_layer(dim, kernel_size, act) for _ in range(depth)])
        self.pooling = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(1))
        self.head_drop = nn.Dropout(0.0)
        self.head = nn.Linear(dim, num_classes) if num_classes > 0 else nn.Identity()

    def forward(self, x):
        return self.head(self.head_drop(self.pooling(self.blocks(self.stem(x)))))


def official_convmixer(dim, depth, kernel_size, patch_size, in_chans, num_classes, act):
    """The official repository's ConvMixer(dim, depth, kernel_size, patch_size, n_classes), with its activation."""
    return nn.Sequential(
        nn.Conv2d(in_chans, dim, kernel_size=patch_size, stride=patch_size), act(), nn.BatchNorm2d(dim),
        *[mixer_layer(dim, kernel_size, act) for _ in range(depth)],
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(dim, num_classes))


def to_official_keys(state_dict, depth):
    def rename(key):
        head, rest = key.split(".", 1)
        if head == "stem":
            return rest
        if head == "blocks":
            index, rest = rest.split(".", 1)
            return f"{3 + int(index)}.{rest}"
        if head == "head":
            return f"{depth + 5}.{rest}"
        raise KeyError(key)
    return {rename(k): v for k, v in state_dict.items()}


SAFETENSORS_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
                      "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
                      "BOOL": torch.bool}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    metadata = header.pop("__metadata__", {})
    body = data[8 + header_length:]
    tensors = {}
    for key, entry in header.items():
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(body[begin:end]), dtype=SAFETENSORS_DTYPES[entry["dtype"]]) if end > begin \
            else torch.empty(0, dtype=SAFETENSORS_DTYPES[entry["dtype"]])
        tensors[key] = flat.reshape(entry["shape"]).clone()
    return tensors, metadata


def main(folder):
    manifest = json.load(open(os.path.join(folder, "manifest.json")))
    x = torch.from_numpy(np.fromfile(os.path.join(folder, "input.bin"), dtype="<f4").reshape(manifest["input_shape"]))
    results = {"torch_version": torch.__version__, "checks": []}
    ok = True
    for m in manifest["models"]:
        act = ACTIVATIONS[m["activation"]]
        args = (m["dim"], m["depth"], m["kernel_size"], m["patch_size"], m["in_chans"], m["num_classes"], act)
        dotnet = torch.from_numpy(np.fromfile(os.path.join(folder, m["name"] + ".dotnet_logits.bin"), dtype="<f4"))
        dotnet = dotnet.reshape(x.shape[0], m["num_classes"])
        sources = {"safetensors": read_safetensors(os.path.join(folder, m["name"] + ".safetensors"))[0],
                   "pth": torch.load(os.path.join(folder, m["name"] + ".pth"))}
        for fmt, state_dict in sources.items():
            for arch, build in (("timm", TimmConvMixer), ("official", official_convmixer)):
                model = build(*args).eval()
                weights = state_dict if arch == "timm" else to_official_keys(state_dict, m["depth"])
                model.load_state_dict(weights, strict=True)  # raises on any missing/unexpected key or shape
                with torch.no_grad():
                    logits = model(x)
                diff = (logits - dotnet).abs().max().item()
                logits.numpy().astype("<f4").tofile(os.path.join(folder, f"{m['name']}.{arch}.{fmt}.python_logits.bin"))
                passed = diff <= 1e-5
                ok &= passed
                results["checks"].append({"model": m["name"], "format": fmt, "architecture": arch,
                                          "strict_load": True, "max_abs_diff_vs_dotnet": diff, "passed": passed})
                print(f"{m['name']:28} {fmt:12} {arch:9} strict load ok, max |logits - .NET| = {diff:.2e}")
    metadata = read_safetensors(os.path.join(folder, manifest["models"][0]["name"] + ".safetensors"))[1]
    results["safetensors_metadata_example"] = metadata
    json.dump(results, open(os.path.join(folder, "results.json"), "w"), indent=1)
    print("all checks passed" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
