#!/usr/bin/env python3
"""The `anneal bench` measurement in PyTorch, for docs/benchmarks.md's ratios.

Same work as src-main/engine/bench/bench.ts: torchvision's architecture with a fresh 10-class head,
random N(0,1) input, cross-entropy, SGD(momentum 0.9, weight decay 1e-4); medians of per-step wall
times after warm-up. "frozen" puts every parameter but the head's out of autograd and the backbone
in eval mode (its BatchNorm uses running statistics), as Anneal's frozen stage does.
Needs torch and torchvision (Debian: python3-torch python3-torchvision); never needed by CI.

  /usr/bin/python3 bench/torch_bench.py --model resnet18 --image-size 64 --batch-size 16 --steps 10 [--threads N]

--threads N sets torch.set_num_threads(N) (bench/race.ts also sets OMP_NUM_THREADS=N before Python
starts, so OpenMP's pool has that size from the first op). "features" is the frozen stage's feature
extraction: the backbone up to the pooled features, no_grad, eval mode.
"""
import argparse
import json
import platform
import resource
import statistics
import time

import torch
import torchvision


def build(name: str, classes: int) -> torch.nn.Module:
    model = getattr(torchvision.models, name)(weights=None)
    if hasattr(model, "fc"):
        model.fc = torch.nn.Linear(model.fc.in_features, classes)
    else:
        model.classifier[-1] = torch.nn.Linear(model.classifier[-1].in_features, classes)
    return model


def head_of(model: torch.nn.Module) -> torch.nn.Module:
    return model.fc if hasattr(model, "fc") else model.classifier


def timed(warmup: int, steps: int, fn) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet18")
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--amp", action="store_true", help="CUDA autocast (float16) for the training and inference steps")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = build(a.model, 10).to(device)
    x = torch.randn(a.batch_size, 3, a.image_size, a.image_size, device=device)
    y = torch.arange(a.batch_size, device=device) % 10
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, weight_decay=1e-4)
    scaler = torch.cuda.amp.GradScaler(enabled=a.amp)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    def train_step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device, enabled=a.amp):
            loss = loss_fn(model(x), y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        loss.item()
        sync()

    def infer_step():
        with torch.no_grad(), torch.autocast(device_type=device, enabled=a.amp):
            model(x).sum().item()
        sync()

    model.eval()
    infer = timed(a.warmup, a.steps, infer_step)
    head = head_of(model)
    saved_head = head
    if hasattr(model, "fc"):
        model.fc = torch.nn.Identity()
    else:
        model.classifier = torch.nn.Identity()

    def features_step():
        with torch.no_grad():
            model(x).sum().item()
        sync()

    features = timed(a.warmup, a.steps, features_step)
    if hasattr(model, "fc"):
        model.fc = saved_head
    else:
        model.classifier = saved_head
    model.train()
    train = timed(a.warmup, a.steps, train_step)
    head = head_of(model)
    for prm in model.parameters():
        prm.requires_grad_(False)
    for prm in head.parameters():
        prm.requires_grad_(True)
    model.eval()
    head.train()
    frozen = timed(a.warmup, a.steps, train_step)
    out = {
        "backend": f"pytorch-{device}{'-amp' if a.amp else ''}",
        "device": torch.cuda.get_device_name() if device == "cuda" else f"{platform.processor() or 'CPU'} ({torch.get_num_threads()} threads)",
        "model": a.model,
        "image_size": a.image_size,
        "batch_size": a.batch_size,
        "steps": a.steps,
        "torch": torch.__version__,
        "train_img_per_s": a.batch_size / train,
        "infer_img_per_s": a.batch_size / infer,
        "features_img_per_s": a.batch_size / features,
        "threads": torch.get_num_threads(),
        "frozen_train_img_per_s": a.batch_size / frozen,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
