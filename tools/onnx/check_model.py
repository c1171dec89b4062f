#!/usr/bin/env python3
"""Runs the ONNX project's own checker on exported files: onnx.checker.check_model(path, full_check=True), which
validates the graph against the operator schemas and runs strict shape inference.

    /usr/bin/python3 tools/onnx/check_model.py model.onnx [more.onnx ...]

Needs the `onnx` Python package (Debian: apt install python3-onnx). Prints one line per file and exits non-zero if
any file fails. A checker older than a file's opset cannot judge it (Debian 12's onnx 1.12 knows opsets up to 17):
such files are reported as "unsupported", which is not a pass.
"""
import sys

import onnx
from onnx import checker, defs


def check(path):
    model = onnx.load(path)
    opsets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    newest = defs.onnx_opset_version()
    if opsets.get("ai.onnx", 0) > newest or model.ir_version > onnx.IR_VERSION:
        return "unsupported", (f"opset {opsets.get('ai.onnx')} / IR {model.ir_version} is newer than this checker "
                               f"(onnx {onnx.__version__}: opset {newest}, IR {onnx.IR_VERSION})")
    try:
        checker.check_model(path, full_check=True)
    except (checker.ValidationError, onnx.shape_inference.InferenceError) as error:
        return "FAILED", str(error).splitlines()[0]
    return "ok", f"opsets {opsets}, IR {model.ir_version}, {len(model.graph.node)} nodes"


def main(paths):
    if not paths:
        sys.exit(__doc__)
    failures = 0
    print(f"onnx {onnx.__version__}, check_model(full_check=True)")
    for path in paths:
        status, detail = check(path)
        failures += status != "ok"
        print(f"{status:11} {path}: {detail}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
