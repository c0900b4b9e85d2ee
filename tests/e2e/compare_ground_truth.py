#!/usr/bin/python3
"""Compares mtable-analyze's visits with the simulator's ground truth.

    compare_ground_truth.py GROUND_TRUTH.csv ANALYSIS_DIR [--drop A-B ...]

Ground truth (mtable-sim --ground-truth): '#' comment lines, then
region,technique,first_sequence,last_sequence,start_s,end_s,peak_counts;
one row per visit, end_s - start_s its dwell. The rate is read from the
"rate R Hz" comment. ANALYSIS_DIR/visits.csv holds the analysis's visits.

Visits are matched by region and overlapping sequence ranges (bilateral
steps give one visit in each of two regions). Every ground-truth visit must
match exactly one analysed visit whose dwell differs by at most one frame
period, and every analysed visit must match one. --drop A-B names sequences
left out of the session (a gap): their frames are not dwell time, so the
expected dwell of a visit is end_s - start_s less the period times the
frames of A..B inside it. Exit status 0 when everything matches, 1 with one
line per problem otherwise.
"""
import csv
import re
import sys


def read_ground_truth(path):
    rate, rows, lines = None, [], []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                found = re.search(r"rate ([0-9.]+) Hz", line)
                rate = float(found.group(1)) if found else rate
            else:
                lines.append(line)
    for row in csv.DictReader(lines):
        rows.append(dict(region=row["region"], first=int(row["first_sequence"]),
                         last=int(row["last_sequence"]),
                         dwell=float(row["end_s"]) - float(row["start_s"])))
    return rate, rows


def read_visits(path):
    with open(path, newline="") as f:
        return [dict(region=r["region"], first=int(r["first_sequence"]),
                     last=int(r["last_sequence"]), dwell=float(r["dwell_s"]))
                for r in csv.DictReader(f)]


def compare(truth, visits, rate, drops=()):
    """Returns a list of problems (empty when all visits match)."""
    period = 1.0 / rate
    problems, used = [], set()
    for t in truth:
        matches = [i for i, v in enumerate(visits)
                   if v["region"] == t["region"] and v["first"] <= t["last"]
                   and t["first"] <= v["last"]]
        lost = sum(max(0, min(b, t["last"]) - max(a, t["first"]) + 1) for a, b in drops)
        expected = t["dwell"] - lost * period
        if len(matches) != 1:
            problems.append("%s %d-%d: %d analysed visits match, expected 1"
                            % (t["region"], t["first"], t["last"], len(matches)))
            continue
        used.add(matches[0])
        got = visits[matches[0]]["dwell"]
        if abs(got - expected) > period + 1e-9:
            problems.append("%s %d-%d: dwell %.6f s, ground truth %.6f s (more than one frame "
                            "period, %.6f s, apart)" % (t["region"], t["first"], t["last"], got,
                                                         expected, period))
    for i, v in enumerate(visits):
        if i not in used:
            problems.append("%s %d-%d: analysed visit not in the ground truth"
                            % (v["region"], v["first"], v["last"]))
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    drops = []
    args = argv[3:]
    while args:
        if args[0] != "--drop" or len(args) < 2:
            print("expected --drop A-B", file=sys.stderr)
            return 2
        a, b = args[1].split("-")
        drops.append((int(a), int(b)))
        args = args[2:]
    rate, truth = read_ground_truth(argv[1])
    visits = read_visits(argv[2] + "/visits.csv")
    problems = compare(truth, visits, rate, drops)
    for problem in problems:
        print(problem)
    print("%d ground-truth visits, %d analysed, %d problems" % (len(truth), len(visits),
                                                                 len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
