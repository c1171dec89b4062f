#!/usr/bin/env python3
"""Times one benchmark case in PyTorch, with the protocol of `ConvMixer.Benchmarks measure`.

    python3 convmixer_bench.py <case-id> [reps] [warmups] [threads]

Case ids (shared with the .NET side):
    forward:<preset>:<batch>:<fp32|bf16>   eval-mode inference at 224x224
    train:<preset>:<batch>                 forward + cross-entropy + backward + SGD step at 32x32
    mm:<n>:<fp32|bf16>                     an n x n matrix product
Prints one JSON line: wall-clock and process CPU seconds of each timed run.
The ConvMixer is the architecture of the paper and timm (residual around the spatial mixing), from convmixer_model.py.
"""
import json
import sys
import time

import torch
from torch import nn

import cpu_tuning
from convmixer_model import conv_mixer

PRESETS = {
    # name: (dim, depth, kernel, patch, classes, activation)
    "convmixer_1536_20": (1536, 20, 9, 7, 1000, nn.GELU),
    "convmixer_768_32": (768, 32, 7, 7, 1000, nn.ReLU),
    "convmixer_1024_20_ks9_p14": (1024, 20, 9, 14, 1000, nn.GELU),
    "convmixer_256_8_ks5_p2_cifar10": (256, 8, 5, 2, 10, nn.GELU),
}
FORWARD_IMAGE_SIZE = 224
TRAINING_IMAGE_SIZE = 32


def make_runner(case_id):
    kind, *rest = case_id.split(":")
    torch.manual_seed(0)
    if kind == "mm":
        n, dtype = int(rest[0]), (torch.bfloat16 if rest[1] == "bf16" else torch.float32)
        a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
        return 1, lambda: torch.mm(a, b)
    preset, batch = rest[0], int(rest[1])
    dim, depth, kernel, patch, classes, act = PRESETS[preset]
    model = conv_mixer(dim, depth, kernel, patch, classes, act=act)
    if kind == "forward":
        dtype = torch.bfloat16 if rest[2] == "bf16" else torch.float32
        model = model.eval().to(dtype)
        x = torch.randn(batch, 3, FORWARD_IMAGE_SIZE, FORWARD_IMAGE_SIZE, dtype=dtype)

        def forward():
            with torch.inference_mode():
                model(x)

        return batch, forward
    model.train()
    x = torch.randn(batch, 3, TRAINING_IMAGE_SIZE, TRAINING_IMAGE_SIZE)
    y = torch.randint(PRESETS[preset][4], (batch,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    return batch, step


def main():
    tuning = cpu_tuning.apply()  # the same malloc settings as the .NET side; CONVMIXER_CPU_TUNING=off for the defaults
    case_id = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    warmups = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    if len(sys.argv) > 4:
        torch.set_num_threads(int(sys.argv[4]))
    items, run = make_runner(case_id)
    for _ in range(warmups):
        run()
    wall, cpu = [], []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        run()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(json.dumps({
        "impl": "pytorch",
        "version": f"PyTorch {torch.__version__}",
        "case": case_id,
        "threads": torch.get_num_threads(),
        "items": items,
        "wall_s": wall,
        "cpu_s": cpu,
        "tuning": tuning,
    }))


if __name__ == "__main__":
    main()
