#!/usr/bin/python3
"""PyTorch baseline for the nn benchmark: LeNet-5 on 28x28x1 (Fashion-MNIST-shaped) input.

Trains on random float32 images (fixed seed, nothing is downloaded) and reports the training
throughput (forward + backward + SGD step, after a warm-up) and the inference throughput
(torch.no_grad, batch 256) of the same model, in images per second.

  pytorch_lenet.py [--threads 2] [--batch 64] [--images 20000] [--json]

With --json it prints exactly one line, the contract read by the C++ benchmark:
  {"train_images_per_s": <float>, "infer_images_per_s": <float>, "threads": <int>, "batch": <int>}
Exit codes: 0 success, 1 training diverged, 2 bad usage or torch missing.

OpenMP threads wait passively (OMP_WAIT_POLICY=PASSIVE) unless the environment says otherwise:
on a machine whose cores are shared, libgomp's default spin-waiting made 2 threads 15-25x
slower than 1 (a default run took 80-110 s instead of about 14 s). Set OMP_WAIT_POLICY=ACTIVE
to measure PyTorch's own default on an idle machine.
"""

import argparse
import json
import os
import sys
import time

WARMUP_BATCHES = 5
INFER_BATCH = 256
SEED = 2024


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="LeNet-5 training and inference throughput with PyTorch (CPU).")
    parser.add_argument("--threads", type=positive_int, default=2,
                        help="intra-op threads, torch.set_num_threads (default 2)")
    parser.add_argument("--batch", type=positive_int, default=64,
                        help="training batch size (default 64)")
    parser.add_argument("--images", type=positive_int, default=20000,
                        help="images per timed training and inference pass (default 20000)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON line instead of a summary")
    return parser.parse_args(argv)  # exits 2 on bad usage


def import_torch():
    # Read by the OpenMP runtime when torch loads it, so it must be set before the import.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch
        from torch import nn
    except ImportError as error:
        print(f"pytorch_lenet.py: PyTorch is not available to {sys.executable} ({error}); "
              "install Debian's python3-torch and run with /usr/bin/python3", file=sys.stderr)
        sys.exit(2)
    return torch, nn


def lenet5(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 6 x 14 x 14
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),            # 16 x 5 x 5
        nn.Flatten(),                                                           # 400
        nn.Linear(400, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def batches(images, labels, size):
    for start in range(0, images.shape[0], size):
        yield images[start:start + size], labels[start:start + size]


def measure(torch, nn, threads, batch, count):
    torch.set_num_threads(threads)
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    images = torch.rand(count, 1, 28, 28, generator=generator, dtype=torch.float32)
    labels = torch.randint(0, 10, (count,), generator=generator)
    model = lenet5(nn)
    loss_function = nn.CrossEntropyLoss()  # softmax cross-entropy on the logits
    optimiser = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def train_step(x, y):
        optimiser.zero_grad()
        loss = loss_function(model(x), y)
        loss.backward()
        optimiser.step()
        return loss

    model.train()
    for _ in range(WARMUP_BATCHES):
        train_step(images[:batch], labels[:batch])
    start = time.perf_counter()
    for x, y in batches(images, labels, batch):
        loss = train_step(x, y)
    train_seconds = time.perf_counter() - start
    if not torch.isfinite(loss):
        print("pytorch_lenet.py: training diverged (non-finite loss)", file=sys.stderr)
        sys.exit(1)

    model.eval()
    with torch.no_grad():
        for _ in range(2):
            model(images[:INFER_BATCH])
        start = time.perf_counter()
        for x, _ in batches(images, labels, INFER_BATCH):
            model(x)
        infer_seconds = time.perf_counter() - start
    return count / train_seconds, count / infer_seconds


def main(argv):
    arguments = parse_arguments(argv)
    torch, nn = import_torch()
    train_rate, infer_rate = measure(torch, nn, arguments.threads, arguments.batch,
                                     arguments.images)
    if arguments.json:
        print(json.dumps({"train_images_per_s": train_rate, "infer_images_per_s": infer_rate,
                          "threads": arguments.threads, "batch": arguments.batch}))
    else:
        print(f"PyTorch {torch.__version__} LeNet-5, 28x28x1, {arguments.images} random images, "
              f"{arguments.threads} thread(s), OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}")
        print(f"  training  (batch {arguments.batch}, SGD momentum 0.9): "
              f"{train_rate:10.0f} images/s")
        print(f"  inference (batch {INFER_BATCH}, no_grad):         {infer_rate:10.0f} images/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
