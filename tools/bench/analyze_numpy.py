#!/usr/bin/python3
"""The heatmaps and dwell times of analysis/METRICS.md with h5py and numpy.

Written plainly, the way a lab would write it from METRICS.md: load the
frames, estimate the resting load, then compute the heatmaps (raw and
applied), the per-region dwell times, visits, mean and peak applied
pressure and pressure-time integral, and the time with no region active.
It is the baseline that mtable-analyze is benchmarked against, and an
implementation independent of the C code for the tests to compare with.

    /usr/bin/python3 tools/bench/analyze_numpy.py SESSION.h5 [--regions FILE] [--json OUT]

Regions: the file given, else the default map (analysis/default_regions.txt,
64 x 32 grids only). Prints a JSON summary (and writes it to --json).
"""
import argparse
import json
import math
import os
import sys

import h5py
import numpy as np

ACTIVE = 200            # applied counts that make a region active
RELEASE = 100           # ... below which it stops
ABOVE_COUNTS = 200.0    # time-above threshold without calibration
ABOVE_MMHG = 32.0       # ... with calibration (kPa = 32 / 7.500617)
MMHG_PER_KPA = 7.500617
REST_WINDOW_S = 60.0
MAX_PERIODS = 10        # longest measured frame duration, in nominal periods


def read_regions(path, rows, cols):
    """Name -> list of taxel indices, in file order (rect and taxels lines)."""
    regions = {}
    for line in open(path):
        words = line.split("#")[0].split()
        if not words or words[0] == "grid":
            continue
        name, shape, args = words[0], words[1], words[2:]
        taxels = regions.setdefault(name, set())
        if shape == "rect":
            r = [int(x) for x in args[0].split("-")]
            c = [int(x) for x in args[1].split("-")]
            for row in range(r[0], r[-1] + 1):
                for col in range(c[0], c[-1] + 1):
                    taxels.add(row * cols + col)
        else:
            for pair in args:
                row, col = pair.split(",")
                taxels.add(int(row) * cols + int(col))
    return {name: np.array(sorted(t)) for name, t in regions.items()}


def frame_durations(sequence, time_us, period):
    """METRICS.md 'Time': duration of each frame and its start on the time axis."""
    n = len(sequence)
    step = np.diff(time_us.astype(np.int64)) * 1e-6
    consecutive = (np.diff(sequence.astype(np.int64)) % 2**32) == 1
    measured = consecutive & (step > 0) & (step <= MAX_PERIODS * period)
    duration = np.full(n, period)
    duration[:-1][measured] = step[measured]
    advance = np.where(step > 0, step, duration[:-1])
    start = np.concatenate([[0.0], np.cumsum(advance)])
    return duration, start


def resting_load(frames, block, window):
    """METRICS.md 'Resting load': the windowed-minimum estimate for every frame."""
    n, taxels = frames.shape
    blocks = (n + block - 1) // block
    last = blocks - 1
    big = np.iinfo(np.uint16).max
    minima = np.full((blocks, taxels), big, dtype=np.uint16)
    for k in range(blocks):
        minima[k] = frames[k * block:(k + 1) * block].min(axis=0)
    resting = np.empty_like(frames)
    for k in range(blocks):
        first, end = k * block, min(n, (k + 1) * block)
        part = frames[first:end]
        running = np.minimum.accumulate(part, axis=0)
        suffix = np.minimum.accumulate(part[::-1], axis=0)[::-1]
        before = minima[max(0, k - window):k].min(axis=0) if k > 0 else np.full(taxels, big)
        after = minima[k + 1:k + window + 1].min(axis=0) if k < last else np.full(taxels, big)
        past = np.minimum(running, before)
        future = np.minimum(suffix, after)
        resting[first:end] = np.maximum(past, future)
    return resting


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("session")
    parser.add_argument("--regions")
    parser.add_argument("--json")
    args = parser.parse_args()

    with h5py.File(args.session, "r", libver="latest", swmr=True) as f:
        rows, cols = int(f.attrs["device_rows"]), int(f.attrs["device_cols"])
        rate = float(f.attrs["device_frame_rate_hz"])
        n = min(f["frames"].shape[0], f["sequence"].shape[0], f["device_time_us"].shape[0])
        frames = f["frames"][:n].reshape(n, rows * cols)
        sequence = f["sequence"][:n]
        time_us = f["device_time_us"][:n]
        calibration = f["calibration"][:] if "calibration" in f else None

    period = 1.0 / rate
    duration, start = frame_durations(sequence, time_us, period)
    block = max(1, math.floor(rate * 1.0 + 0.5))  # halves round up (2.5 Hz: 3)
    window = max(1, math.ceil(REST_WINDOW_S * rate / block))
    resting = resting_load(frames, block, window)

    if calibration is not None:
        table = np.interp(np.arange(65536), calibration[:, 0], calibration[:, 1])
        threshold = ABOVE_MMHG / MMHG_PER_KPA
    else:
        table = np.arange(65536, dtype=np.float64)
        threshold = ABOVE_COUNTS

    regions_path = args.regions or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "analysis", "default_regions.txt")
    regions = read_regions(regions_path, rows, cols)

    maps = {name: np.zeros(rows * cols) for name in
            ["mean", "peak", "time_above", "integral",
             "applied_mean", "applied_peak", "applied_time_above", "applied_integral"]}
    # Per frame and region: highest applied counts (activity), highest applied
    # pressure, and the mean applied pressure of the taxels with counts >= RELEASE.
    highest = {name: np.empty(n, dtype=np.int64) for name in regions}
    region_peak = {name: np.empty(n) for name in regions}
    loaded_mean = {name: np.empty(n) for name in regions}
    step = 4096
    for first in range(0, n, step):
        v = frames[first:first + step]
        r = resting[first:first + step]
        d = duration[first:first + step][:, None]
        p = table[v]
        a = np.maximum(table[v] - table[r], 0)
        counts = v.astype(np.int64) - r.astype(np.int64)
        for prefix, x in (("", p), ("applied_", a)):
            maps[prefix + "integral"] += (x * d).sum(axis=0)
            maps[prefix + "peak"] = np.maximum(maps[prefix + "peak"], x.max(axis=0))
            maps[prefix + "time_above"] += ((x >= threshold) * d).sum(axis=0)
        for name, taxels in regions.items():
            highest[name][first:first + step] = counts[:, taxels].max(axis=1)
            region_peak[name][first:first + step] = a[:, taxels].max(axis=1)
            loaded = counts[:, taxels] >= RELEASE
            with np.errstate(invalid="ignore"):  # no loaded taxel: only in inactive frames
                loaded_mean[name][first:first + step] = (
                    (a[:, taxels] * loaded).sum(axis=1) / loaded.sum(axis=1))
    total = duration.sum()
    maps["mean"] = maps["integral"] / total
    maps["applied_mean"] = maps["applied_integral"] / total

    results = {}
    any_active = np.zeros(n, dtype=bool)
    for name in regions:
        active = np.zeros(n, dtype=bool)
        on = False
        for i, h in enumerate(highest[name]):
            on = h >= (RELEASE if on else ACTIVE)
            active[i] = on
        any_active |= active
        starts = np.flatnonzero(active & ~np.concatenate([[False], active[:-1]]))
        ends = np.flatnonzero(active & ~np.concatenate([active[1:], [False]]))
        visits = [float(duration[s:e + 1].sum()) for s, e in zip(starts, ends)]
        dwell = float(duration[active].sum())
        d = duration[active]
        results[name] = {
            "dwell_s": dwell, "visits": len(visits),
            "longest_visit_s": max(visits) if visits else 0.0,
            "mean_applied": float((d * loaded_mean[name][active]).sum() / dwell) if dwell else 0.0,
            "peak_applied": float(region_peak[name][active].max()) if active.any() else 0.0,
            "integral": float((d * region_peak[name][active]).sum()),
        }
    summary = {
        "frames": int(n),
        "analysed_s": float(total),
        "no_region_s": float(duration[~any_active].sum()),
        "regions": results,
        "heatmaps": {name: values.reshape(rows, cols).tolist() for name, values in maps.items()},
    }
    if args.json:
        with open(args.json, "w") as out:
            json.dump(summary, out)
    brief = {k: v for k, v in summary.items() if k != "heatmaps"}
    brief["heatmap_max"] = {name: float(values.max()) for name, values in maps.items()}
    json.dump(brief, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
