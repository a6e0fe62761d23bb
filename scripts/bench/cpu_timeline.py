#!/usr/bin/env python3
"""How busy the cores are while the STEDI pipeline runs: a thread samples the process's CPU time
every STEP seconds (the kernels release the GIL, so it keeps sampling) and prints, per job and per
step, the share of all cores used — where the cores idle, and so what running steps of different
jobs at once could gain at most.

    python scripts/bench/cpu_timeline.py LAKE [--step 0.05]

LAKE is a lake with landing data (e.g. one made by `glueless generate stedi --replicate-from ...`);
its zones are rewritten. Build glueless in release mode (`pip install .`).
"""

from __future__ import annotations

import argparse
import os
import threading
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lake")
    parser.add_argument("--step", type=float, default=0.05, help="seconds between samples")
    args = parser.parse_args()
    from glueless.pipeline import run_stedi

    cores = os.cpu_count() or 1
    samples: list[tuple[float, float]] = []
    starts: list[tuple[float, str]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            t = os.times()
            samples.append((time.perf_counter(), t.user + t.system))
            time.sleep(args.step)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began, cpu_began = time.perf_counter(), sum(os.times()[:2])
    run_stedi(args.lake, on_job_start=lambda job: starts.append((time.perf_counter(), job)))
    ended, cpu_ended = time.perf_counter(), sum(os.times()[:2])
    done.set()
    sampler.join()
    wall, cpu = ended - began, cpu_ended - cpu_began
    print(f"wall {wall:.2f} s, CPU {cpu:.2f} s: {cpu / wall / cores:.0%} of {cores} cores")
    starts.append((ended, "end"))

    def busy(a: float, b: float) -> float:
        inside = [c for t, c in samples if a <= t <= b]
        return (inside[-1] - inside[0]) / (b - a) / cores if len(inside) > 1 and b > a else 0.0

    for (a, job), (b, _) in zip(starts, starts[1:]):
        print(f"  {job:34s} {b - a:6.2f} s  {busy(a, b):4.0%}")
    print("\n  time   busy  job")
    for (t, c), (t2, c2) in zip(samples, samples[1:]):
        if t < began or t2 > ended:
            continue
        job = next((j for s, j in reversed(starts) if s <= t), "")
        print(f"{t - began:6.2f} {(c2 - c) / (t2 - t) / cores:5.0%}  {job}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
