#!/usr/bin/python3
"""Trains a ConvMixer on Fashion-MNIST in PyTorch with the same model and recipe as the .NET benchmark
(benchmarks/ConvMixer.FashionMnist), to compare epoch times on the same machine.

Model: the official ConvMixer (patch embedding, depth x [residual depthwise conv, pointwise conv], each conv
followed by GELU and BatchNorm, global average pooling, linear head). Recipe: AdamW, the official one-cycle
schedule stepped per iteration (step i uses t = (i + 1) / steps), optional label smoothing and gradient
clipping, random crop with zero padding and horizontal flip, Fashion-MNIST mean/std normalization.

Run with Debian's interpreter and python3-torch, for example:
    /usr/bin/time -v /usr/bin/python3 benchmarks/pytorch/train_fashion_mnist.py --epochs 10
"""
import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import cpu_tuning
from convmixer_model import conv_mixer

MEAN, STD = 0.2860, 0.3530


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def load_split(directory, prefix):
    def find(name):
        for candidate in (os.path.join(directory, name), os.path.join(directory, name + ".gz")):
            if os.path.exists(candidate):
                return candidate
        raise FileNotFoundError(name)
    images = read_idx(find(f"{prefix}-images-idx3-ubyte")).unsqueeze(1)
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte")).long()
    return images, labels


def one_cycle(max_lr, total_steps):
    # The official script: np.interp(t, [0, 2/5, 4/5, 1] of the run, [0, max, max / 20, 0]).
    return lambda step: float(np.interp((step + 1) / total_steps, [0, 0.4, 0.8, 1.0], [0, max_lr, max_lr / 20.0, 0]))


def augment(images, padding, flip, generator):
    """Random crop of the zero-padded image and horizontal flip, per image, vectorised over the batch."""
    n, _, h, w = images.shape
    if padding > 0:
        padded = F.pad(images, (padding, padding, padding, padding))
        dy = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
        dx = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
        rows = dy[:, None] + torch.arange(h)  # [n, h]: source row of every output row
        cols = dx[:, None] + torch.arange(w)  # [n, w]
        images = padded[torch.arange(n)[:, None, None], 0, rows[:, :, None], cols[:, None, :]].unsqueeze(1)
    if flip:
        mask = torch.rand(n, generator=generator) < 0.5
        images = torch.where(mask[:, None, None, None], images.flip(3), images)
    return images


def normalize(images_uint8):
    return (images_uint8.float() / 255.0 - MEAN) / STD


class ToChannelsLast(nn.Module):
    """Stores the feature maps channels-last from here on, as the .NET model's ChannelsLast does after its stem."""

    def forward(self, x):
        return x.contiguous(memory_format=torch.channels_last)


def evaluate(model, images, labels, batch, flip_tta=False):
    model.eval()
    correct, loss_sum = 0, 0.0
    with torch.no_grad():
        for start in range(0, len(labels), batch):
            x = normalize(images[start:start + batch])
            y = labels[start:start + batch]
            logits = model(x)
            if flip_tta:
                logits = (logits + model(x.flip(3))) / 2
            loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
    model.train()
    return loss_sum / len(labels), correct / len(labels)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--dim", type=int, default=256)
    p.add_argument("--depth", type=int, default=8)
    p.add_argument("--kernel", type=int, default=5)
    p.add_argument("--patch", type=int, default=2)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--wd", type=float, default=0.01)
    p.add_argument("--smoothing", type=float, default=0.0)
    p.add_argument("--clip", type=float, default=None)
    p.add_argument("--crop-padding", type=int, default=2)
    p.add_argument("--flip", default="true")
    p.add_argument("--activation", choices=["gelu", "relu"], default="gelu")
    p.add_argument("--channels-last", default="false", help="true: feature maps channels-last after the stem")
    p.add_argument("--eval-tta", choices=["none", "flip"], default="none")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--train-limit", type=int, default=None)
    p.add_argument("--test-limit", type=int, default=None)
    p.add_argument("--out", default=None,
                   help="write the per-epoch metrics to this CSV (the columns of the .NET trainer's metrics.csv)")
    p.add_argument("--max-epochs-run", type=int, default=None,
                   help="stop after this many epochs (the schedule still spans --epochs), to time epochs only")
    args = p.parse_args()

    tuning = cpu_tuning.apply()  # as the .NET runner does; CONVMIXER_CPU_TUNING=off for the defaults
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    print(f"PyTorch {torch.__version__}, threads {torch.get_num_threads()}, CPU tuning: {tuning}, {vars(args)}", flush=True)

    train_x, train_y = load_split(args.data, "train")
    test_x, test_y = load_split(args.data, "t10k")
    if args.train_limit:
        train_x, train_y = train_x[:args.train_limit], train_y[:args.train_limit]
    if args.test_limit:
        test_x, test_y = test_x[:args.test_limit], test_y[:args.test_limit]

    model = conv_mixer(args.dim, args.depth, args.kernel, args.patch, 10, 1, act=nn.ReLU if args.activation == "relu" else nn.GELU)
    if args.channels_last == "true":
        model = nn.Sequential(*list(model)[:3], ToChannelsLast(), *list(model)[3:])
    print(f"model: ConvMixer-{args.dim}/{args.depth} kernel {args.kernel} patch {args.patch} {args.activation}, "
          f"{sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wd)
    steps_per_epoch = (len(train_y) + args.batch - 1) // args.batch
    schedule = one_cycle(args.lr, steps_per_epoch * args.epochs)
    generator = torch.Generator().manual_seed(args.seed)
    flip = args.flip == "true"
    step = 0
    epochs_to_run = args.epochs if args.max_epochs_run is None else min(args.epochs, args.max_epochs_run)
    total_train = 0.0
    metrics = []
    for epoch in range(epochs_to_run):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(train_y), generator=generator)
        loss_sum, correct = 0.0, 0
        for b in range(steps_per_epoch):
            index = order[b * args.batch:(b + 1) * args.batch]
            x = normalize(augment(train_x[index], args.crop_padding, flip, generator))
            y = train_y[index]
            lr = schedule(step)
            for group in optimizer.param_groups:
                group["lr"] = lr
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=args.smoothing)
            optimizer.zero_grad(set_to_none=False)
            loss.backward()
            if args.clip:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            step += 1
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
        seconds = time.perf_counter() - start
        total_train += seconds
        test_loss, test_acc = evaluate(model, test_x, test_y, 256, args.eval_tta == "flip")
        n = len(train_y)
        metrics.append((epoch + 1, loss_sum / n, correct / n, test_loss, test_acc, lr, seconds, n / seconds))
        if args.out:
            write_metrics(args.out, metrics)
        print(f"epoch {epoch + 1:2d}: train loss {loss_sum / n:.4f} acc {100 * correct / n:.2f}% | "
              f"test loss {test_loss:.4f} acc {100 * test_acc:.2f}% | lr {lr:.3g} | {seconds:.1f} s, {n / seconds:.0f} img/s",
              flush=True)
    print(f"final test accuracy {100 * test_acc:.2f}%; training time {total_train:.1f} s", flush=True)


def write_metrics(path, rows):
    """Writes the metrics CSV atomically: a temporary file next to it, then a rename."""
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        f.write("epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,train_seconds,images_per_second\n")
        for row in rows:
            f.write(",".join(repr(float(v)) if i else str(v) for i, v in enumerate(row)) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


if __name__ == "__main__":
    main()
