"""Writes the PyTorch-made checkpoint fixtures that ConvMixer.Core's checkpoint tests read.

Run from the repository root with a Python that has PyTorch (1.13 was used):

    python3 tools/checkpoints/make_checkpoint_fixtures.py

It reads the reference state dicts in tests/ConvMixer.Core.Tests/Fixtures/golden and writes
tests/ConvMixer.Core.Tests/Fixtures/checkpoints/:

- training_checkpoint.pth.tar: what timm's train.py saves for a DataParallel run of the official
  architecture: {'epoch', 'arch', 'state_dict' (module.-prefixed official keys of case F),
  'optimizer', 'args' (argparse.Namespace), 'state_dict_ema' (case F weights halved), 'metric'}.
- caseA_float16.pth, caseA_bfloat16.pth: case A's state dict converted by PyTorch.
- legacy_format.pth: case A saved with torch.save's pre-1.6 (non-zip) format.
- whole_model.pth: torch.save of a whole nn.Sequential (the official architecture), not a state dict.
- pickle_os_system.pth, pickle_builtins_exec.pth: torch.save-shaped zips whose data.pkl asks the
  unpickler to call os.system / builtins.exec (made with Python's pickle module).
- pickle_huge_string.pth: a pickle whose first string claims 2 GB, followed by 3 bytes.
- shape_bomb.pth: a state dict whose pickle claims a tensor of shape [10**8, 10**8] over 16 bytes.
"""
import argparse
import io
import os
import pickle
import sys
import zipfile
from collections import OrderedDict

import torch
import torch.nn as nn

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
GOLDEN = os.path.join(ROOT, "tests", "ConvMixer.Core.Tests", "Fixtures", "golden")
OUT = os.path.join(ROOT, "tests", "ConvMixer.Core.Tests", "Fixtures", "checkpoints")


def official_convmixer(dim, depth, kernel_size, patch_size, n_classes):
    # The official repository's architecture (a flat nn.Sequential), needed only to pickle a whole model; one
    # definition serves the benchmarks and these fixtures.
    sys.path.insert(0, os.path.join(ROOT, "benchmarks", "pytorch"))
    from convmixer_model import conv_mixer
    return conv_mixer(dim, depth, kernel_size, patch_size, n_classes)


def zip_with_pickle(path, payload):
    # The layout torch.save writes: <archive>/data.pkl and <archive>/version.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", payload)
        z.writestr("archive/version", "3\n")


class CallsOsSystem:
    def __reduce__(self):
        return (os.system, ("echo this must never run > pwned.txt",))


class CallsExec:
    def __reduce__(self):
        return (exec, ("open('pwned.txt', 'w').write('this must never run')",))


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    case_a = torch.load(os.path.join(GOLDEN, "caseA.pth"))
    case_f = torch.load(os.path.join(GOLDEN, "caseF.pth"))

    model = official_convmixer(32, 2, 5, 4, 10)
    model.load_state_dict(case_f, strict=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model(torch.randn(2, 3, 32, 32)).sum().backward()
    optimizer.step()
    model.load_state_dict(case_f, strict=True)  # the saved weights stay case F's
    torch.save({
        "epoch": 3,
        "arch": "convmixer_32_2",
        "state_dict": OrderedDict(("module." + k, v) for k, v in case_f.items()),
        "optimizer": optimizer.state_dict(),
        "version": 2,
        "args": argparse.Namespace(model="convmixer_32_2", lr=0.01, batch_size=64),
        "metric": 12.5,
        "state_dict_ema": OrderedDict(
            ("module." + k, v * 0.5 if v.is_floating_point() else v) for k, v in case_f.items()),
    }, os.path.join(OUT, "training_checkpoint.pth.tar"))

    torch.save(OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in case_a.items()),
               os.path.join(OUT, "caseA_float16.pth"))
    torch.save(OrderedDict((k, v.bfloat16() if v.is_floating_point() else v) for k, v in case_a.items()),
               os.path.join(OUT, "caseA_bfloat16.pth"))
    torch.save(case_a, os.path.join(OUT, "legacy_format.pth"), _use_new_zipfile_serialization=False)
    torch.save(model, os.path.join(OUT, "whole_model.pth"))

    zip_with_pickle(os.path.join(OUT, "pickle_os_system.pth"), pickle.dumps({"state_dict": CallsOsSystem()}, protocol=2))
    zip_with_pickle(os.path.join(OUT, "pickle_builtins_exec.pth"), pickle.dumps(CallsExec(), protocol=2))

    # BINUNICODE claiming a string of 2**31 - 57 bytes (about the largest .NET array), followed by 3 bytes.
    zip_with_pickle(os.path.join(OUT, "pickle_huge_string.pth"), b"\x80\x02X\xc7\xff\xff\x7fabc.")

    # A real torch.save zip, with the pickled shape (4,) of its only tensor replaced by (10**8, 10**8).
    buffer = io.BytesIO()
    torch.save(OrderedDict(w=torch.arange(4, dtype=torch.float32)), buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(os.path.join(OUT, "shape_bomb.pth"), "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("data.pkl"):
                shape, stride = b"K\x04\x85", b"K\x01\x85"
                assert data.count(shape) == 1 and data.count(stride) == 1, "unexpected pickle layout"
                huge = b"J\x00\xe1\xf5\x05" * 2 + b"\x86"
                data = data.replace(shape, huge).replace(stride, b"J\x00\xe1\xf5\x05K\x01\x86")
            target.writestr(item, data)
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
