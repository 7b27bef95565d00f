"""Time regbook's PyTorch twins against torch's native modules: one forward + backward pass.

Usage::

    python benchmarks/torch_twins.py                  # (256, 1024) float32 on CPU, one thread
    python benchmarks/torch_twins.py --quick          # toy size, few repeats: checks that it runs and agrees
    python benchmarks/torch_twins.py --device cuda    # on a GPU, if there is one
    python benchmarks/torch_twins.py --only LayerNorm --repeats 60    # re-run noisy rows

Each row runs the native module and regbook's twin on the same input, in one
process, with torch limited to one thread on CPU. Before anything is timed the
two are compared (output and input gradient; dropout, being random, is checked
for its inverted-dropout pattern instead), so a fast wrong answer fails its row.
A time is the best of ``--repeats`` samples, each the mean of ``--inner``
forward + backward calls, native and regbook interleaved so that load on a
shared machine hits both alike. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

from regbook.pt.normalization import BatchNorm1d, BatchNormFunction, LayerNorm

CPU_TARGET = 1.5  # regbook / torch, forward + backward, on CPU


def _dropout_twin(p):
    try:
        from regbook.pt.dropout import Dropout
    except ImportError:  # the dropout twin is written separately; the other rows do not need it
        return None
    return Dropout(p)


def make_rows(n_features, device, dtype):
    """(label, native callable, regbook callable, compare outputs?) for each row."""
    def pair(native, ours):
        return native.to(device, dtype), ours.to(device, dtype)

    rows = []
    drop = _dropout_twin(0.5)
    if drop is not None:
        nd, od = pair(nn.Dropout(0.5), drop)
        rows.append(("Dropout(p=0.5) train", nd, od, False))
    else:
        rows.append(("Dropout(p=0.5) train", None, None, False))
    nb, ob = pair(nn.BatchNorm1d(n_features), BatchNorm1d(n_features))
    rows.append(("BatchNorm1d train", nb, ob, True))
    nbe, obe = pair(nn.BatchNorm1d(n_features), BatchNorm1d(n_features))
    nbe.eval(), obe.eval()
    rows.append(("BatchNorm1d eval", nbe, obe, True))
    nl, ol = pair(nn.LayerNorm(n_features), LayerNorm(n_features))
    rows.append(("LayerNorm", nl, ol, True))
    w = torch.ones(n_features, device=device, dtype=dtype, requires_grad=True)
    b = torch.zeros(n_features, device=device, dtype=dtype, requires_grad=True)
    rows.append(("BatchNormFunction train",
                 lambda x: F.batch_norm(x, None, None, w, b, True, 0.1, 1e-5),
                 lambda x: BatchNormFunction.apply(x, w, b, 1e-5), True))
    return rows


def _grads(f, x, g):
    x = x.detach().requires_grad_()
    out = f(x)
    out.backward(g)
    return out.detach(), x.grad


def check_agreement(native, ours, x, g, compare):
    """Largest relative difference of output and input gradient (dropout: pattern check)."""
    if compare:
        diffs = [float((a - b).abs().max() / b.abs().max()) for a, b in zip(_grads(ours, x, g), _grads(native, x, g))]
        return max(diffs), max(diffs) < 1e-4
    out, _ = _grads(ours, x, g)
    kept = out != 0
    pattern_ok = bool(torch.allclose(out[kept], 2.0 * x[kept], rtol=1e-5))   # inverted dropout, p = 0.5
    return float("nan"), pattern_ok and 0.4 < float(kept.float().mean()) < 0.6


def time_pair(native, ours, x, g, repeats, inner, sync):
    """Best of `repeats` samples, each the mean of `inner` forward + backward calls; interleaved."""
    x = x.detach().requires_grad_()
    best = {"native": float("inf"), "ours": float("inf")}
    for f in (native, ours):  # warm-up
        for _ in range(3):
            f(x).backward(g)
    for _ in range(repeats):
        for name, f in (("native", native), ("ours", ours)):
            sync()
            t0 = time.perf_counter()
            for _ in range(inner):
                x.grad = None
                f(x).backward(g)
            sync()
            best[name] = min(best[name], (time.perf_counter() - t0) / inner)
    return best["native"], best["ours"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="toy size (16, 32), 2 repeats")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--features", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=30, help="best of k samples (default 30)")
    parser.add_argument("--inner", type=int, default=5, help="calls per sample (default 5)")
    parser.add_argument("--only", default=None, help="rows whose label contains this text")
    args = parser.parse_args(argv)
    if args.quick:
        args.batch, args.features, args.repeats, args.inner = 16, 32, 2, 1
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: CUDA is not available on this machine")
    on_cpu = device.type == "cpu"
    if on_cpu:
        torch.set_num_threads(1)
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)

    gen = torch.Generator().manual_seed(0)
    shape = (args.batch, args.features)
    x = torch.randn(shape, generator=gen).to(device)
    g = torch.randn(shape, generator=gen).to(device)
    threads = f"{torch.get_num_threads()} thread" + ("s" if torch.get_num_threads() > 1 else "")
    print(f"torch {torch.__version__}, device {device}, {threads if on_cpu else ''}".rstrip(", ")
          + f", input {shape} float32, forward + backward, best of {args.repeats} x {args.inner} calls")
    header = f"{'row':<26}{'torch ms':>10}{'regbook ms':>12}{'ratio':>8}{'target':>8}{'met':>6}{'max rel diff':>14}"
    print(header)
    print("-" * len(header))
    rows = []
    for label, native, ours, compare in make_rows(args.features, device, torch.float32):
        if args.only and args.only not in label:
            continue
        if ours is None:
            print(f"{label:<26}  skipped: regbook.pt.dropout is not available")
            rows.append({"label": label, "skipped": True, "agree": True})
            continue
        diff, agree = check_agreement(native, ours, x, g, compare)
        t_native, t_ours = time_pair(native, ours, x, g, args.repeats, args.inner, sync)
        ratio = t_ours / t_native
        met = ratio <= CPU_TARGET if on_cpu else None
        target = f"<={CPU_TARGET:g}" if on_cpu else "n/a"
        diff_txt = "random" if not compare else f"{diff:.1e}"
        print(f"{label:<26}{t_native * 1e3:>10.3f}{t_ours * 1e3:>12.3f}{ratio:>8.2f}{target:>8}"
              f"{('yes' if met else 'no') if met is not None else 'n/a':>6}{diff_txt:>14}"
              + ("" if agree else "   DISAGREE"))
        rows.append({"label": label, "torch_s": t_native, "regbook_s": t_ours, "ratio": ratio, "met": met,
                     "max_rel_diff": diff, "agree": agree, "skipped": False})
    timed = [r for r in rows if not r["skipped"]]
    if on_cpu and timed:
        n_met = sum(bool(r["met"]) for r in timed)
        print(f"target met on {n_met} of {len(timed)} rows (regbook / torch <= {CPU_TARGET:g} on CPU)")
    return rows


if __name__ == "__main__":
    result = main()
    sys.exit(0 if all(r["agree"] for r in result) else 1)
