"""PyTorch's AdamW on fixed gradients: the reference for the .NET optimizer's updates.

Runs torch.optim.AdamW (PyTorch's own code, single-tensor form) for a few steps on three parameters with a
learning rate that changes every step (as a schedule sets it) and weight decay, and writes the initial weights, each
step's learning rate and gradients, and the weights and moments after every step. One parameter gets no gradient
for its first steps (grad None, as for a frozen body), so its step count lags the others.

    /usr/bin/python3 tools/training/make_adamw_fixture.py --out tests/ConvMixer.Training.Tests/Fixtures/adamw.json
"""
import argparse
import json

import torch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args()

    torch.manual_seed(1234)
    shapes = {"a": [3, 4], "b": [5], "c": [2, 3]}
    frozen_until = {"a": 0, "b": 0, "c": 4}  # c gets its first gradient at step 4 (0-based)
    params = {k: torch.nn.Parameter(torch.randn(*s)) for k, s in shapes.items()}
    initial = {k: p.detach().clone() for k, p in params.items()}
    weight_decay, betas, eps = 0.05, (0.9, 0.999), 1e-8
    optimizer = torch.optim.AdamW(list(params.values()), lr=0.01, betas=betas, eps=eps, weight_decay=weight_decay)

    steps = []
    for step in range(args.steps):
        lr = 0.01 * (1 + step) / args.steps + 0.001
        for group in optimizer.param_groups:
            group["lr"] = lr
        grads = {}
        for k, p in params.items():
            if step < frozen_until[k]:
                p.grad = None
            else:
                # Gradients of very different sizes, so eps and the bias corrections matter.
                p.grad = torch.randn(*shapes[k]) * (10.0 ** (step % 3 - 1))
                grads[k] = p.grad.flatten().tolist()
        optimizer.step()
        state = optimizer.state
        steps.append({
            "lr": lr,
            "grads": grads,
            "weights": {k: p.detach().flatten().tolist() for k, p in params.items()},
            "exp_avg": {k: state[p]["exp_avg"].flatten().tolist() for k, p in params.items() if p in state},
            "exp_avg_sq": {k: state[p]["exp_avg_sq"].flatten().tolist() for k, p in params.items() if p in state},
        })

    with open(args.out, "w") as f:
        json.dump({
            "torch": torch.__version__,
            "weight_decay": weight_decay, "beta1": betas[0], "beta2": betas[1], "eps": eps,
            "shapes": shapes,
            "initial": {k: v.flatten().tolist() for k, v in initial.items()},
            "steps": steps,
        }, f)
        f.write("\n")


if __name__ == "__main__":
    main()
