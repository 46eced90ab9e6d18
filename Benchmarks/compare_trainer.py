#!/usr/bin/env python3
"""Train cnn-s on Fashion-MNIST with PyTorch on CPU, the same way `tessera train` does.

Same network (conv3x3 32, ReLU, maxpool, conv3x3 64, ReLU, maxpool, fc 128, ReLU, fc 10), same
initialisation scheme (PyTorch's default, which Tessera's cnn-s uses too), same optimizer (SGD,
momentum 0.9, L2 weight decay on conv and linear weights only), same per-step cosine schedule
to 0, same batch size, same input normalisation (taken from Tessera's report when given).
Data is read from the IDX files straight into tensors, so PyTorch pays nothing for loading.

Prints one line per epoch and writes a JSON summary (samples/s per epoch, test accuracy).
"""
import argparse
import gzip
import json
import math
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, f"{path}: not an unsigned-byte IDX file"
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(directory, images, labels):
    def find(stem):
        for name in (stem + ".gz", stem):
            if os.path.exists(os.path.join(directory, name)):
                return os.path.join(directory, name)
        raise FileNotFoundError(os.path.join(directory, stem + ".gz"))
    x = read_idx(find(images)).astype(np.float32) / 255.0
    y = read_idx(find(labels)).astype(np.int64)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


class CNNS(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--idx", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tessera-report", help="Tessera's --json report: use its normalisation")
    ap.add_argument("--json", help="write the summary here")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_train, y_train = load_split(args.idx, "train-images-idx3-ubyte", "train-labels-idx1-ubyte")
    x_test, y_test = load_split(args.idx, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    if args.tessera_report:
        with open(args.tessera_report) as f:
            norm = json.load(f)["normalization"]
        mean, std = norm["mean"][0], norm["std"][0]
    else:
        mean, std = x_train.mean().item(), x_train.std().item()
    x_train = (x_train - mean) / std
    x_test = (x_test - mean) / std

    model = CNNS()
    decay = [p for n, p in model.named_parameters() if n.endswith("weight")]
    no_decay = [p for n, p in model.named_parameters() if not n.endswith("weight")]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": args.weight_decay},
                           {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, momentum=args.momentum)
    steps_per_epoch = math.ceil(len(x_train) / args.batch_size)
    total = steps_per_epoch * args.epochs
    # Tessera's schedule: rate(step) = base·(1 + cos(π·step/total))/2, updated before every step.
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: (1 + math.cos(math.pi * min(step, total) / total)) / 2)
    generator = torch.Generator().manual_seed(args.seed)

    epochs = []
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        start, cpu_start = time.perf_counter(), time.process_time()
        loss_sum, correct = 0.0, 0
        for i in range(steps_per_epoch):
            idx = order[i * args.batch_size:(i + 1) * args.batch_size]
            xb, yb = x_train[idx], y_train[idx]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        e = {"epoch": epoch + 1, "loss": loss_sum / len(x_train), "accuracy": correct / len(x_train),
             "seconds": seconds, "cpuSeconds": cpu, "samplesPerSecond": len(x_train) / seconds}
        epochs.append(e)
        print(f"pytorch epoch {e['epoch']}/{args.epochs}  loss {e['loss']:.4f}  accuracy {100 * e['accuracy']:.2f}%  "
              f"{e['samplesPerSecond']:.0f} samples/s  {seconds:.1f} s  ({cpu:.1f} CPU-s)", flush=True)

    model.eval()
    with torch.no_grad():
        correct = sum((model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum().item()
                      for i in range(0, len(x_test), 1000))
    accuracy = correct / len(x_test)
    seconds = sum(e["seconds"] for e in epochs)
    summary = {"framework": f"pytorch {torch.__version__}", "threads": args.threads, "epochs": epochs,
               "testAccuracy": accuracy, "trainingSeconds": seconds,
               "samplesPerSecond": len(x_train) * args.epochs / seconds}
    print(f"pytorch test accuracy {100 * accuracy:.2f}%  ({summary['samplesPerSecond']:.0f} samples/s overall)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
