#!/usr/bin/env python3
"""PyTorch's side of `npm run bench`: the same training step as the project's, on one CPU thread.

The project's CIFAR ResNet (src/nets/resnet.ts, layers.ts) rebuilt in PyTorch, layer for layer:
a 3x3 stem conv, three stages of n basic blocks (3x3 convs, no bias) at widths w, 2w, 4w, stride 2
at the start of stages 2 and 3 with TensorFlow's 'same' padding (at stride 2 on an even side the
one padded row and column go after, not before), BN (eps 1e-5, momentum 0.1, learnable gamma and
beta) after every conv when bn=all, option-A shortcuts (the top-left pixel of each 2x2 cell, the
new channels zero-padded half before and half after), global average pooling and a linear
classifier with a bias. Glorot-normal kernels (std sqrt(2 / (fan_in + fan_out))), zero biases.
The step: forward, mean cross-entropy, backward, the loss and the number correct read back, then
SGD with momentum 0.9 and weight decay 5e-4 on the kernels and the classifier's weight only (the
project's `decayed` set), lr 0.01: what src/train/train.ts trainStep does.

Timing as scripts/bench/cases.ts times the project's step: one warm-up step, then min(steps,
floor(time box / warm-up time)) timed steps (at least one).

  usage: torch-step.py '<json: {"steps": 5, "timeBox": 60, "cases": [{"id", "depth", "width",
         "hw", "channels", "bn", "batch"}, ...]}>'
  prints one JSON object: {"torch": version, "threads": 1, "cpuCapability": e.g. "AVX512", "results": [{"id", "params",
         "secondsPerStep", "steps", "imagesPerSecond"}, ...]}

  usage: torch-step.py --check FILE   (FILE: the project's nets, {"cases": [{"id", "depth", "width",
         "hw", "channels", "bn", "x", "logits", "params": {name: {"shape", "values"}}}]})
  loads each net's parameters into this file's ResNet, runs the same input in training mode and
  prints {"cases": [{"id", "params", "maxAbsDiff", "scale"}]}: the check that both are one net.

Kept apart from the TypeScript: the project never imports it; the bench runs it when a Python
with torch is there (Debian: apt-get install python3-torch).
"""
import json
import re
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def same_padding(n, k, s):
    """TensorFlow's 'same': out = ceil(n / s), total = max((out - 1) s + k - n, 0), before = total // 2."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def glorot_(t, fan_in, fan_out):
    with torch.no_grad():
        t.normal_(0.0, math.sqrt(2.0 / (fan_in + fan_out)))


class SameConv(nn.Module):
    """3x3 conv, no bias, TensorFlow 'same' padding (symmetric padding inside the conv where it is)."""

    def __init__(self, cin, cout, stride, hw):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=0, bias=False)
        glorot_(self.conv.weight, 9 * cin, 9 * cout)
        before, after = same_padding(hw, 3, stride)
        if before == after:
            self.conv.padding = (before, before)
            self.pad = None
        else:
            self.pad = (before, after, before, after)
        self.out_hw = -(-hw // stride)

    def forward(self, x):
        return self.conv(F.pad(x, self.pad) if self.pad else x)


def bn_layer(c):
    return nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)


class Block(nn.Module):
    def __init__(self, cin, cout, stride, hw, bn):
        super().__init__()
        self.c1 = SameConv(cin, cout, stride, hw)
        self.c2 = SameConv(cout, cout, 1, self.c1.out_hw)
        self.bn1 = bn_layer(cout) if bn else nn.Identity()
        self.bn2 = bn_layer(cout) if bn else nn.Identity()
        self.stride = stride
        self.extra = cout - cin
        self.out_hw = self.c1.out_hw

    def forward(self, h):
        r = F.relu(self.bn1(self.c1(h)))
        r = self.bn2(self.c2(r))
        sc = h[:, :, :: self.stride, :: self.stride] if self.stride > 1 else h
        if self.extra > 0:
            sc = F.pad(sc, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
        return F.relu(sc + r)


class ResNet(nn.Module):
    def __init__(self, depth, width, channels, hw, bn, classes=10):
        super().__init__()
        assert (depth - 2) % 6 == 0, depth
        n = (depth - 2) // 6
        self.stem = SameConv(channels, width, 1, hw)
        self.stem_bn = bn_layer(width) if bn else nn.Identity()
        blocks, cin, hw = [], width, self.stem.out_hw
        for s in range(3):
            cout = width * 2**s
            for b in range(n):
                blk = Block(cin, cout, 2 if s > 0 and b == 0 else 1, hw, bn)
                blocks.append(blk)
                cin, hw = cout, blk.out_hw
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, classes)
        glorot_(self.fc.weight, cin, classes)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        h = F.relu(self.stem_bn(self.stem(x)))
        h = self.blocks(h)
        return self.fc(h.mean(dim=(2, 3)))


def optimiser(net):
    # weight decay on the conv kernels and the classifier's weight, as the project's `decayed` set
    decayed = [p for name, p in net.named_parameters() if name.endswith("conv.weight") or name == "fc.weight"]
    rest = [p for name, p in net.named_parameters() if not (name.endswith("conv.weight") or name == "fc.weight")]
    return torch.optim.SGD(
        [{"params": decayed, "weight_decay": 5e-4}, {"params": rest, "weight_decay": 0.0}], lr=0.01, momentum=0.9
    )


def time_case(c, steps, time_box):
    torch.manual_seed(0)
    net = ResNet(c["depth"], c["width"], c["channels"], c["hw"], c["bn"] == "all")
    net.train()
    opt = optimiser(net)
    b = c["batch"]
    x = torch.randn(b, c["channels"], c["hw"], c["hw"])
    y = torch.arange(b) % 10

    def step():
        opt.zero_grad(set_to_none=True)
        logits = net(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        # read back as the project's step does, before the update
        loss.item()
        int((logits.argmax(1) == y).sum())
        opt.step()

    t0 = time.perf_counter()
    step()
    warm = time.perf_counter() - t0
    n = 0 if warm > time_box else max(1, min(steps, int(time_box // warm)))
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    per_step = (time.perf_counter() - t0) / n if n else warm
    return {
        "id": c["id"],
        "params": sum(p.numel() for p in net.parameters()),
        "secondsPerStep": per_step,
        "steps": max(n, 1),
        "imagesPerSecond": b / per_step,
    }


def load_project_net(c):
    """This file's ResNet with the parameters of the project's (kernels [kh, kw, cin, cout], NHWC)."""
    net = ResNet(c["depth"], c["width"], c["channels"], c["hw"], c["bn"] == "all")
    p = {k: torch.tensor(v["values"], dtype=torch.float32).reshape(v["shape"]) for k, v in c["params"].items()}
    used = set()

    def take(name):
        used.add(name)
        return p[name]

    def conv(mod, name):
        mod.conv.weight.data = take(name).permute(3, 2, 0, 1).contiguous()

    def bn(mod, name):
        mod.weight.data = take(name + ".gamma").clone()
        mod.bias.data = take(name + ".beta").clone()

    with torch.no_grad():
        conv(net.stem, "stem")
        if c["bn"] == "all":
            bn(net.stem_bn, "stem.bn")
        n = (c["depth"] - 2) // 6
        for k, blk in enumerate(net.blocks):
            name = f"s{k // n + 1}b{k % n + 1}"
            conv(blk.c1, name + ".c1")
            conv(blk.c2, name + ".c2")
            if c["bn"] == "all":
                bn(blk.bn1, name + ".c1.bn")
                bn(blk.bn2, name + ".c2.bn")
        net.fc.weight.data = take("fc.w").t().contiguous()
        net.fc.bias.data = take("fc.b").clone()
    missing = set(p) - used
    if missing:
        raise SystemExit(f"project parameters with no place in the PyTorch net: {sorted(missing)}")
    return net


def check(path):
    results = []
    for c in json.load(open(path))["cases"]:
        net = load_project_net(c)
        net.train()
        x = torch.tensor(c["x"], dtype=torch.float32).reshape(-1, c["hw"], c["hw"], c["channels"]).permute(0, 3, 1, 2)
        with torch.no_grad():
            got = net(x.contiguous()).flatten()
        ref = torch.tensor(c["logits"], dtype=torch.float32)
        results.append({
            "id": c["id"],
            "params": sum(q.numel() for q in net.parameters()),
            "maxAbsDiff": float((got - ref).abs().max()),
            "scale": float(ref.abs().max()),
        })
    print(json.dumps({"cases": results}))


def main():
    if sys.argv[1] == "--check":
        return check(sys.argv[2])
    spec = json.loads(sys.argv[1])
    results = [time_case(c, spec["steps"], spec["timeBox"]) for c in spec["cases"]]
    capability = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "cpuCapability": capability and capability.group(1), "results": results}))


if __name__ == "__main__":
    main()
