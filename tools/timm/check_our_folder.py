#!/usr/bin/python3
"""Checks that model folders written by ConvMixerNet's ModelFolder.Save load in timm, unmodified, as we mean them.

For every folder in <folders>/manifest.json (written by the WriteModelFolders tool):

* published architectures: ``timm.create_model('local-dir:FOLDER', pretrained=True)``;
  other shapes: the code block of docs/timm-interop.md that builds timm's ``ConvMixer`` from ``model_args``, run as
  it stands there;
* timm's logits on <name>.input.bin against ours (<name>.logits.bin), within 1e-5 (and, for scale, how far timm's
  float32 logits are from its float64 ones);
* ``timm.data.resolve_model_data_config(model)`` (input_size, interpolation, crop_pct, crop_mode, mean, std),
  ``label_names`` and ``num_classes`` against what our model's configuration says (manifest.json);
* ``model.safetensors`` against ``pytorch_model.bin`` (same keys, dtypes and bits), and its ``config`` metadata
  against config.json;
* the SHA-256 of config.json, model.safetensors and pytorch_model.bin's zip entries (names and contents; the zip's
  timestamps change with every write), which the .NET tests compare with what today's writer writes.

timm reads ``model.safetensors`` first and needs the safetensors package for it, which Debian 12 does not package;
without it, timm is given a view of the folder without that file (config.json and pytorch_model.bin), and
model.safetensors is read here from its documented layout for the comparison. results.json records which.

Run from the repository root (Debian 12: python3-torch 1.13; timm's source tree with --timm-src, never installed):

    dotnet run --project tools/timm/WriteModelFolders -c Release -- artifacts/convmixer-folders \
        tests/ConvMixer.Core.Tests/Fixtures/timm-check/statistics
    /usr/bin/python3 tools/timm/check_our_folder.py --timm-src PATH/TO/pytorch-image-models \
        --folders artifacts/convmixer-folders --timm-revision COMMIT \
        --out tests/ConvMixer.Core.Tests/Fixtures/timm-check/results.json

The published case is a 21 M-parameter model: write the folders to a temporary directory, never into the repository.
"""
import argparse
import hashlib
import json
import os
import re
import struct
import sys
import tempfile
import zipfile

import numpy as np
import torch

LOGIT_TOLERANCE = 1e-5
# config.json stores floats rounded to 6 decimals; ours are float32.
FLOAT_TOLERANCE = 1e-6
SNIPPET_MARKER = "<!-- tools/timm/check_our_folder.py runs the next code block as it stands. -->"

SAFETENSORS_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
                      "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
                      "BOOL": torch.bool}


def read_safetensors(path):
    """Tensors and metadata of a .safetensors file, from its layout: u64 header size, JSON header, raw data."""
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        tensor = torch.frombuffer(bytearray(data[begin:end]), dtype=SAFETENSORS_DTYPES[entry["dtype"]]) if end > begin \
            else torch.empty(0, dtype=SAFETENSORS_DTYPES[entry["dtype"]])
        tensors[name] = tensor.reshape(entry["shape"])
    return tensors, metadata


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


def same_tensors(a, b):
    return a.keys() == b.keys() and all(a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and torch.equal(a[k], b[k]) for k in a)


def snippet(doc_path):
    """The code block after the marker in the docs: the loader for shapes timm has no name for."""
    text = open(doc_path, encoding="utf-8").read()
    after = text.split(SNIPPET_MARKER, 1)
    if len(after) != 2:
        raise SystemExit(f"{doc_path} has no line '{SNIPPET_MARKER}'")
    match = re.match(r"\s*```python\n(.*?)\n```", after[1], re.S)
    if not match:
        raise SystemExit(f"{doc_path}: no python code block right after the marker")
    return match.group(1)


def timm_view(folder, has_safetensors, scratch):
    """The folder timm is given: itself, or without model.safetensors where timm cannot read it."""
    if has_safetensors or not os.path.exists(os.path.join(folder, "model.safetensors")):
        return folder, "model.safetensors" if os.path.exists(os.path.join(folder, "model.safetensors")) else "pytorch_model.bin"
    view = os.path.join(scratch, os.path.basename(folder))
    os.makedirs(view)
    for name in ("config.json", "pytorch_model.bin"):
        os.symlink(os.path.abspath(os.path.join(folder, name)), os.path.join(view, name))
    return view, "pytorch_model.bin"


def compare_data_config(timm_config, ours):
    differences = []
    for key, expected in ours.items():
        actual = timm_config.get(key)
        if isinstance(expected, list):
            actual = list(actual) if actual is not None else None
            equal = actual is not None and len(actual) == len(expected) and all(
                abs(a - e) <= FLOAT_TOLERANCE if isinstance(e, float) else a == e for a, e in zip(actual, expected))
        elif isinstance(expected, float):
            equal = actual is not None and abs(actual - expected) <= FLOAT_TOLERANCE
        else:
            equal = actual == expected
        if not equal:
            differences.append(f"{key}: timm {actual!r}, ours {expected!r}")
    return differences


def check(entry, root, has_safetensors, scratch, load_unpublished, timm):
    name = entry["name"]
    folder = os.path.join(root, name)
    config_bytes = open(os.path.join(folder, "config.json"), "rb").read()
    result = {"name": name, "published": entry["published"], "config_json_sha256": hashlib.sha256(config_bytes).hexdigest()}
    # The weights files too, so the .NET test can tell when its writer no longer writes what timm read here.
    with open(os.path.join(folder, "model.safetensors"), "rb") as f:
        result["model_safetensors_sha256"] = hashlib.sha256(f.read()).hexdigest()
    result["pytorch_model_bin_entries_sha256"] = zip_entries_sha256(os.path.join(folder, "pytorch_model.bin"))

    bin_tensors = torch.load(os.path.join(folder, "pytorch_model.bin"), map_location="cpu", weights_only=True)
    safe_tensors, metadata = read_safetensors(os.path.join(folder, "model.safetensors"))
    result["safetensors_equals_pytorch_bin"] = same_tensors(safe_tensors, bin_tensors)
    result["safetensors_config_equals_config_json"] = json.loads(metadata.get("config", "null")) == json.loads(config_bytes)

    view, weights_file = timm_view(folder, has_safetensors, scratch)
    result["weights_file_timm_read"] = weights_file
    if entry["published"]:
        result["loaded_with"] = "timm.create_model('local-dir:FOLDER', pretrained=True)"
        model = timm.create_model(f"local-dir:{view}", pretrained=True).eval()
    else:
        result["loaded_with"] = "docs/timm-interop.md: load_convmixer_folder(FOLDER)"
        model = load_unpublished(view)
    result["timm_architecture"] = model.pretrained_cfg.get("architecture")

    shape = entry["input_shape"]
    inputs = torch.from_numpy(np.fromfile(os.path.join(root, f"{name}.input.bin"), dtype="<f4").reshape(shape))
    ours = np.fromfile(os.path.join(root, f"{name}.logits.bin"), dtype="<f4").reshape(shape[0], -1)
    with torch.no_grad():
        logits = model(inputs).numpy()
    result["logits_shape_equal"] = list(logits.shape) == list(ours.shape)
    result["logits_max_abs_diff"] = float(np.abs(logits - ours).max()) if result["logits_shape_equal"] else None
    result["logits_tolerance"] = LOGIT_TOLERANCE
    # How far timm's own float32 is from float64 on this input: the floor under any comparison of two float32 runs.
    with torch.no_grad():
        exact = model.double()(inputs.double()).numpy()
    model.float()
    result["timm_float32_vs_float64_max_abs_diff"] = float(np.abs(logits - exact).max())

    data_config = timm.data.resolve_model_data_config(model)
    result["timm_data_config"] = {k: list(v) if isinstance(v, tuple) else v for k, v in data_config.items()}
    result["data_config_differences"] = compare_data_config(data_config, entry["data_config"])
    result["label_names_equal"] = list(model.pretrained_cfg.get("label_names") or []) == entry["label_names"]
    result["num_classes_equal"] = model.num_classes == entry["num_classes"]
    result["ok"] = bool(
        result["safetensors_equals_pytorch_bin"] and result["safetensors_config_equals_config_json"]
        and result["logits_shape_equal"] and result["logits_max_abs_diff"] <= LOGIT_TOLERANCE
        and not result["data_config_differences"] and result["label_names_equal"] and result["num_classes_equal"])
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timm-src", required=True, help="folder holding timm's source package (timm/)")
    parser.add_argument("--folders", required=True, help="the WriteModelFolders tool's output folder")
    parser.add_argument("--doc", default="docs/timm-interop.md", help="the page whose code block loads other shapes")
    parser.add_argument("--timm-revision", default="", help="the git commit of --timm-src, recorded in the results")
    parser.add_argument("--out", required=True, help="results.json to write")
    args = parser.parse_args()

    sys.path.insert(0, os.path.abspath(args.timm_src))
    import timm
    import timm.data
    try:
        import safetensors.torch  # noqa: F401
        has_safetensors = True
    except ImportError:
        has_safetensors = False

    namespace = {}
    exec(compile(snippet(args.doc), args.doc, "exec"), namespace)
    load_unpublished = namespace["load_convmixer_folder"]

    manifest = json.load(open(os.path.join(args.folders, "manifest.json")))
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for entry in manifest["folders"]:
            result = check(entry, args.folders, has_safetensors, scratch, load_unpublished, timm)
            results.append(result)
            print(f"{result['name']}: ok={result['ok']} logits max diff {result['logits_max_abs_diff']:.2e}, "
                  f"data config differences {result['data_config_differences']}, timm read {result['weights_file_timm_read']}")

    report = {
        "made_with": {"timm": timm.__version__, "timm_revision": args.timm_revision, "torch": torch.__version__,
                      "safetensors_package": has_safetensors},
        "folders": results,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    if not all(r["ok"] for r in results):
        raise SystemExit("some folders did not load in timm as we mean them; see " + args.out)


if __name__ == "__main__":
    main()
