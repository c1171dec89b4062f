"""Checks that checkpoints saved by ConvMixer.Core load into the reference implementations and give the same logits.

For every model in <folder>/manifest.json (written by the ExportForPyTorch tool), loads <name>.safetensors and
<name>.pth with load_state_dict(strict=True) into

- timm's own ConvMixer class, imported unmodified from a checkout of huggingface/pytorch-image-models
  (timm.models.convmixer.ConvMixer with act_layer set to the model's activation), and
- the official repository's ConvMixer(dim, depth, kernel_size, patch_size, n_classes), imported unmodified from a
  checkout of locuslab/convmixer (convmixer.py). That function hard-codes nn.GELU; for a ReLU model its nn.GELU
  modules are replaced by nn.ReLU after it returns (activations hold no weights, so keys and structure stay the
  official code's). The state dict is renamed to the official flat nn.Sequential keys first.

It runs <folder>/input.bin through each in eval mode, compares with the .NET logits, and writes
<name>.<architecture>.<format>.python_logits.bin and results.json (versions and SHA-256 of the source files used,
and of each checked file: its bytes for .safetensors, its zip entries for .pth, whose timestamps change with every
write) into the folder; the .NET tests read them as fixtures and do not need Python. Run from the repository root:

    dotnet run --project tools/checkpoints/ExportForPyTorch -c Release -- tests/ConvMixer.Core.Tests/Fixtures/export
    python3 tools/checkpoints/check_export.py tests/ConvMixer.Core.Tests/Fixtures/export \
        --timm-source <pytorch-image-models checkout> --official-source <convmixer checkout>

Needs PyTorch and what timm imports (Debian 12: python3-torch, python3-torchvision). timm's and the official code
are never copied into this repository; the folders given are only added to sys.path. .safetensors files are read
from the format's documented layout (the safetensors package is not needed).
"""
import argparse
import hashlib
import json
import os
import struct
import sys
import zipfile

import numpy as np
import torch
import torch.nn as nn

ACTIVATIONS = {"gelu": nn.GELU, "relu": nn.ReLU}

SAFETENSORS_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
                      "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
                      "BOOL": torch.bool}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def zip_entries_sha256(path):
    """SHA-256 of a .pth (zip) file's entries, names and contents in archive order: the zip's timestamps change with
    every write, the entries do not."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            digest.update(info.filename.encode("utf-8") + b"\0" + struct.pack("<Q", len(data)))
            digest.update(data)
    return digest.hexdigest()


# What identifies each checked file, so the .NET tests can tell when their writer no longer writes it.
FILE_DIGESTS = {"safetensors": ("sha256", sha256), "pth": ("zip_entries_sha256", zip_entries_sha256)}


def import_references(timm_source, official_source):
    """Imports timm's ConvMixer class and the official ConvMixer function from the given checkouts, unmodified."""
    for folder, marker in ((timm_source, os.path.join("timm", "models", "convmixer.py")),
                           (official_source, "convmixer.py")):
        if not os.path.isfile(os.path.join(folder, marker)):
            sys.exit(f"{folder} has no {marker}")
    sys.path.insert(0, os.path.abspath(timm_source))
    import timm
    from timm.models.convmixer import ConvMixer as TimmConvMixer
    sys.path.insert(0, os.path.abspath(official_source))
    import convmixer as official
    sources = {
        "timm": {"version": timm.__version__,
                 "file": "timm/models/convmixer.py",
                 "sha256": sha256(os.path.join(timm_source, "timm", "models", "convmixer.py"))},
        "official": {"file": "convmixer.py", "sha256": sha256(os.path.join(official_source, "convmixer.py"))},
    }
    return TimmConvMixer, official.ConvMixer, sources


def build_timm(timm_class, m):
    return timm_class(m["dim"], m["depth"], kernel_size=m["kernel_size"], patch_size=m["patch_size"],
                      in_chans=m["in_chans"], num_classes=m["num_classes"], act_layer=ACTIVATIONS[m["activation"]])


def build_official(official_function, m):
    if m["in_chans"] != 3:
        sys.exit(f"{m['name']}: the official ConvMixer takes 3 input channels, not {m['in_chans']}")
    model = official_function(m["dim"], m["depth"], kernel_size=m["kernel_size"], patch_size=m["patch_size"],
                              n_classes=m["num_classes"])
    if m["activation"] != "gelu":
        swap_gelu(model, ACTIVATIONS[m["activation"]])
    return model


def swap_gelu(module, activation):
    for name, child in module.named_children():
        if isinstance(child, nn.GELU):
            setattr(module, name, activation())
        else:
            swap_gelu(child, activation)


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="the export folder (manifest.json, checkpoints, input and .NET logits)")
    parser.add_argument("--timm-source", required=True, help="a checkout of huggingface/pytorch-image-models")
    parser.add_argument("--official-source", required=True, help="a checkout of locuslab/convmixer")
    args = parser.parse_args()
    folder = args.folder

    timm_class, official_function, sources = import_references(args.timm_source, args.official_source)
    builders = {"timm": lambda m: build_timm(timm_class, m), "official": lambda m: build_official(official_function, m)}
    manifest = json.load(open(os.path.join(folder, "manifest.json")))
    x = torch.from_numpy(np.fromfile(os.path.join(folder, "input.bin"), dtype="<f4").reshape(manifest["input_shape"]))
    results = {"torch_version": torch.__version__, "sources": sources, "checks": []}
    ok = True
    for m in manifest["models"]:
        dotnet = torch.from_numpy(np.fromfile(os.path.join(folder, m["name"] + ".dotnet_logits.bin"), dtype="<f4"))
        dotnet = dotnet.reshape(x.shape[0], m["num_classes"])
        state_dicts = {"safetensors": read_safetensors(os.path.join(folder, m["name"] + ".safetensors"))[0],
                       "pth": torch.load(os.path.join(folder, m["name"] + ".pth"))}
        for fmt, state_dict in state_dicts.items():
            digest_name, digest = FILE_DIGESTS[fmt]
            file_digest = digest(os.path.join(folder, f"{m['name']}.{fmt}"))
            for arch, build in builders.items():
                model = build(m).eval()
                weights = state_dict if arch == "timm" else to_official_keys(state_dict, m["depth"])
                model.load_state_dict(weights, strict=True)  # raises on any missing/unexpected key or shape
                with torch.no_grad():
                    logits = model(x)
                diff = (logits - dotnet).abs().max().item()
                logits.numpy().astype("<f4").tofile(os.path.join(folder, f"{m['name']}.{arch}.{fmt}.python_logits.bin"))
                passed = diff <= 1e-5
                ok &= passed
                results["checks"].append({"model": m["name"], "format": fmt, "architecture": arch, "file_" + digest_name: file_digest,
                                          "strict_load": True, "max_abs_diff_vs_dotnet": diff, "passed": passed})
                print(f"{m['name']:28} {fmt:12} {arch:9} strict load ok, max |logits - .NET| = {diff:.2e}")
    metadata = read_safetensors(os.path.join(folder, manifest["models"][0]["name"] + ".safetensors"))[1]
    results["safetensors_metadata_example"] = metadata
    json.dump(results, open(os.path.join(folder, "results.json"), "w"), indent=1)
    print("all checks passed" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
