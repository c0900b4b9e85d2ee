"""mtable-analyze on tiny hand-built sessions with exact, hand-computed results.

The sessions are written by the daemon's own writer (acquisition/session_file.h)
through mtable-import, from frames and stamps given here. Every expected
number is worked out by hand in the comments, from analysis/METRICS.md. The
same run is compared with the golden files in tests/fixtures/analysis/
(regenerate: see tests/fixtures/analysis/README).

    /usr/bin/python3 tests/e2e/test_analyze_hand.py MTABLE_ANALYZE MTABLE_IMPORT FIXTURES_DIR
"""
import csv
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy

ANALYZE = IMPORT = FIXTURES = None
ROWS, COLS = 6, 4
REGIONS = "grid 6 4\nleft  rect 0-5 0-1   # columns 0 and 1\nright rect 0-5 2-3\n"

# Twelve frames at 10 frames/s (period 0.1 s) of a uniform resting load of 100
# counts. Sequences 0..7, then 10..13: frames 8 and 9 of the device were lost.
#   frames 3-5: taxel (2,1) (left) reads 600, applied 500
#   frames 7-8: taxel (4,2) (right) reads 400, applied 300 (across the gap)
SEQUENCES = [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13]


def frames():
    out = []
    for i in range(12):
        f = numpy.full((ROWS, COLS), 100, dtype=numpy.uint16)
        if i in (3, 4, 5):
            f[2, 1] = 600
        if i in (7, 8):
            f[4, 2] = 400
        out.append(f)
    return out


def write_inputs(directory, calibration=None):
    text = os.path.join(directory, "frames.txt")
    with open(text, "w", newline="") as out:
        for f in frames():  # PmatData's layout: tab-separated, trailing tab, CRLF
            out.write("\t".join(str(v) for v in f.ravel()) + "\t\r\n")
    stamps = os.path.join(directory, "stamps.csv")
    with open(stamps, "w") as out:
        out.write("# sequence,device_time_us\n")
        for s in SEQUENCES:
            out.write("%d,%d\n" % (s, s * 100000))
    regions = os.path.join(directory, "tiny.regions")
    with open(regions, "w") as out:
        out.write(REGIONS)
    args = []
    if calibration:
        path = os.path.join(directory, "calibration.csv")
        with open(path, "w") as out:  # as for mtable-acqd: a header line and comments allowed
            out.write("counts,kPa\n# lab calibration\n")
            out.write("\n".join("%g,%g" % pair for pair in calibration) + "\n")
        args = ["--calibration", path]
    return text, stamps, regions, args


def make_session(directory, name, calibration=None, extra=()):
    text, stamps, regions, args = write_inputs(directory, calibration)
    session = os.path.join(directory, name + ".h5")
    run = subprocess.run([IMPORT, "--grid", "6x4", "--rate", "10", "--stamps", stamps,
                          "--pitch-mm", "20,20", "--subject", "HAND", "--operator", "T1",
                          "--start-time", "2026-01-02T03:04:05Z"] + args + list(extra)
                         + [text, session], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return session, regions


def analyze(*args):
    return subprocess.run([ANALYZE, "-q"] + list(args), capture_output=True, text=True)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def load_json(path):
    with open(path) as f:
        return json.load(f)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path + " is not a PNG file"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


class HandSession(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mtable-analyze-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_hand(self, name="hand", *args, calibration=None):
        session, regions = make_session(self.dir, name, calibration)
        out = os.path.join(self.dir, name + ".analysis")
        result = analyze("--regions", regions, *args, session)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "report: %s/report.html" % out)
        return out

    def test_regions_and_visits(self):
        out = self.run_hand()
        regions = {r["region"]: r for r in read_csv(os.path.join(out, "regions.csv"))}
        self.assertEqual(list(regions), ["left", "right"])
        # left: frames 3-5 active (500 >= 200), 0.1 s each: dwell 0.3, one visit;
        # loaded taxel (2,1) only: mean 500; integral 0.3 * 500 = 150.
        left = regions["left"]
        self.assertEqual(left["taxels"], "12")
        self.assertAlmostEqual(float(left["dwell_s"]), 0.3, places=6)
        self.assertEqual(left["visits"], "1")
        self.assertAlmostEqual(float(left["longest_visit_s"]), 0.3, places=6)
        self.assertAlmostEqual(float(left["mean_applied"]), 500, places=3)
        self.assertAlmostEqual(float(left["peak_applied"]), 500, places=3)
        self.assertAlmostEqual(float(left["integral"]), 150, places=3)
        # right: frames 7 and 8 (sequences 7 and 10): frame 7 is followed by a
        # gap, so it lasts the nominal 0.1 s; dwell 0.2 s, not the 0.4 s from
        # 0.7 s to 1.1 s on the time axis. Mean 300, integral 0.2 * 300 = 60.
        right = regions["right"]
        self.assertAlmostEqual(float(right["dwell_s"]), 0.2, places=6)
        self.assertEqual(right["visits"], "1")
        self.assertAlmostEqual(float(right["mean_applied"]), 300, places=3)
        self.assertAlmostEqual(float(right["integral"]), 60, places=3)
        visits = read_csv(os.path.join(out, "visits.csv"))
        self.assertEqual([(v["region"], v["first_sequence"], v["last_sequence"]) for v in visits],
                         [("left", "3", "5"), ("right", "7", "10")])
        self.assertAlmostEqual(float(visits[1]["start_s"]), 0.7, places=6)
        self.assertAlmostEqual(float(visits[1]["end_s"]), 1.1, places=6)
        self.assertAlmostEqual(float(visits[1]["dwell_s"]), 0.2, places=6)
        # 12 frames of 0.1 s, 0.5 s of them with a region active.
        summary = load_json(os.path.join(out, "summary.json"))
        self.assertAlmostEqual(summary["totals"]["analysed_s"], 1.2, places=9)
        self.assertAlmostEqual(summary["totals"]["no_region_s"], 0.7, places=9)
        self.assertEqual(summary["session"]["gap_frames"], 2)
        self.assertTrue(summary["complete"])
        self.assertEqual(summary["warnings"], [])

    def test_heatmaps(self):
        out = self.run_hand()
        with h5py.File(os.path.join(out, "results.h5"), "r") as f:
            raw = {k: f["heatmaps/raw/" + k][:] for k in ("mean", "peak", "time_above", "integral")}
            app = {k: f["heatmaps/applied/" + k][:] for k in ("mean", "peak", "time_above",
                                                                 "integral")}
            self.assertEqual(f["heatmaps/raw/integral"].attrs["units"], "counts*s")
        # Taxel (2,1): 100 for 9 frames, 600 for 3, 0.1 s each: integral
        # 0.1 * (900 + 1800) = 270, mean 270 / 1.2 = 225, peak 600, 0.3 s >= 200.
        # Applied: 500 for 0.3 s: integral 150, mean 125, peak 500, 0.3 s.
        self.assertAlmostEqual(raw["integral"][2, 1], 270, places=3)
        self.assertAlmostEqual(raw["mean"][2, 1], 225, places=3)
        self.assertEqual(raw["peak"][2, 1], 600)
        self.assertAlmostEqual(raw["time_above"][2, 1], 0.3, places=6)
        self.assertAlmostEqual(app["integral"][2, 1], 150, places=3)
        self.assertAlmostEqual(app["mean"][2, 1], 125, places=3)
        self.assertEqual(app["peak"][2, 1], 500)
        self.assertAlmostEqual(app["time_above"][2, 1], 0.3, places=6)
        # Taxel (4,2): 400 in 2 frames: integral 0.1 * (1000 + 800) = 180, mean 150;
        # applied 300 for 0.2 s: integral 60, mean 50, 0.2 s >= 200.
        self.assertAlmostEqual(raw["integral"][4, 2], 180, places=3)
        self.assertAlmostEqual(raw["mean"][4, 2], 150, places=3)
        self.assertAlmostEqual(app["integral"][4, 2], 60, places=3)
        self.assertAlmostEqual(app["time_above"][4, 2], 0.2, places=6)
        # Every other taxel: 100 throughout, never applied pressure, never >= 200.
        self.assertAlmostEqual(raw["mean"][0, 0], 100, places=3)
        self.assertAlmostEqual(raw["integral"][5, 3], 120, places=3)
        self.assertEqual(raw["time_above"][0, 0], 0)
        self.assertEqual(app["peak"][0, 0], 0)

    def test_series(self):
        out = self.run_hand()
        series = read_csv(os.path.join(out, "series.csv"))
        self.assertEqual(len(series), 12)
        f3 = series[3]
        # Frame 3: 23 taxels of 100 and one of 600: total 2900; all 24 in contact
        # (>= 20), 24 * 2 cm * 2 cm = 96 cm2. Row sums 400 except row 2 (900):
        # CoP row = (400 + 2*900 + 3*400 + 4*400 + 5*400) / 2900 = 7000 / 2900.
        # Column sums 600, 1100, 600, 600: CoP col = (1100 + 1200 + 1800) / 2900.
        self.assertAlmostEqual(float(f3["total_load"]), 2900, places=3)
        self.assertEqual(f3["contact_taxels"], "24")
        self.assertAlmostEqual(float(f3["contact_area_cm2"]), 96, places=2)
        self.assertAlmostEqual(float(f3["cop_row"]), 7000 / 2900, places=4)
        self.assertAlmostEqual(float(f3["cop_col"]), 4100 / 2900, places=4)
        self.assertAlmostEqual(float(f3["applied_total"]), 500, places=3)
        self.assertEqual(f3["active_regions"], "left")
        self.assertEqual(series[8]["sequence"], "10")
        self.assertAlmostEqual(float(series[8]["time_s"]), 1.0, places=6)  # 0.7 + 0.3 of gap
        self.assertEqual(series[8]["active_regions"], "right")
        self.assertEqual(series[0]["active_regions"], "")
        with h5py.File(os.path.join(out, "results.h5"), "r") as f:
            numpy.testing.assert_array_equal(f["series/sequence"][:], SEQUENCES)
            self.assertEqual(int(f["series/active_regions"][3]), 1)   # bit 0: left
            self.assertEqual(int(f["series/active_regions"][8]), 2)   # bit 1: right
            self.assertEqual([n.decode() if isinstance(n, bytes) else n
                              for n in f["regions/name"][:]], ["left", "right"])
            self.assertEqual(int(f["regions/mask"][0].sum()), 12)

    def test_calibrated_units(self):
        # Calibration (0, 0) (1000, 100): kPa = counts / 10. Every pressure is a
        # tenth (left: peak 50 kPa, integral 15 kPa*s; taxel (2,1) mean 22.5);
        # mmHg multiplies by 7.500617. Dwell times do not change (applied counts).
        cal = [(0, 0), (1000, 100)]
        out = self.run_hand("kpa", calibration=cal)
        left = read_csv(os.path.join(out, "regions.csv"))[0]
        self.assertEqual(left["unit"], "kPa")
        self.assertAlmostEqual(float(left["peak_applied"]), 50, places=4)
        self.assertAlmostEqual(float(left["integral"]), 15, places=4)
        self.assertAlmostEqual(float(left["dwell_s"]), 0.3, places=6)
        with h5py.File(os.path.join(out, "results.h5"), "r") as f:
            self.assertAlmostEqual(f["heatmaps/raw/mean"][2, 1], 22.5, places=4)
            self.assertEqual(f["heatmaps/raw/mean"].attrs["units"], "kPa")
        out = self.run_hand("mmhg", "--units", "mmHg", calibration=cal)
        left = read_csv(os.path.join(out, "regions.csv"))[0]
        self.assertEqual(left["unit"], "mmHg")
        self.assertAlmostEqual(float(left["peak_applied"]), 50 * 7.500617, places=3)
        self.assertAlmostEqual(float(left["dwell_s"]), 0.3, places=6)
        summary = load_json(os.path.join(out, "summary.json"))
        self.assertEqual(summary["units"]["pressure"], "mmHg")
        self.assertAlmostEqual(summary["settings"]["above_threshold"], 32.0)

    def test_time_window(self):
        # --from 0.45 --to 0.95: frames 5, 6, 7 (t = 0.5, 0.6, 0.7). left active
        # in frame 5 only (0.1 s); right in frame 7 (0.1 s).
        out = self.run_hand("window", "--from", "0.45", "--to", "0.95")
        regions = {r["region"]: r for r in read_csv(os.path.join(out, "regions.csv"))}
        self.assertAlmostEqual(float(regions["left"]["dwell_s"]), 0.1, places=6)
        self.assertAlmostEqual(float(regions["right"]["dwell_s"]), 0.1, places=6)
        self.assertEqual(len(read_csv(os.path.join(out, "series.csv"))), 3)

    def test_images_and_report(self):
        out = self.run_hand()
        for kind in ("mean", "peak", "time_above", "integral"):
            for prefix in ("", "applied_"):
                # 6 x 4 grid: cell = min(640 / 6, 640 / 4, 24) = 24 px;
                # width max(540, 4 * 24 + 182) = 540, height 6 * 24 + 104 = 248.
                self.assertEqual(png_size(os.path.join(out, "heatmap_%s%s.png" % (prefix, kind))),
                                 (540, 248))
        self.assertEqual(png_size(os.path.join(out, "timeline.png")), (1000, 84 + 22 * 2))
        self.assertEqual(png_size(os.path.join(out, "series.png")), (1000, 620))
        html = open(os.path.join(out, "report.html")).read()
        self.assertEqual(html.count('src="data:image/png;base64,'), 10)
        self.assertNotIn('src="heatmap', html)  # self-contained: no links to files
        self.assertIn("<td>left</td>", html)

    def flat_session(self, name, rows, cols, rate):
        """Five frames of 100 counts on a rows x cols grid at rate frames/s."""
        text = os.path.join(self.dir, name + ".txt")
        with open(text, "w") as out:
            for _ in range(5):
                out.write("\t".join(["100"] * (rows * cols)) + "\n")
        session = os.path.join(self.dir, name + ".h5")
        run = subprocess.run([IMPORT, "--grid", "%dx%d" % (rows, cols), "--rate", str(rate),
                              text, session], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        return session

    def test_large_grids(self):
        # METRICS.md section 3, X = 16384 taxels, B = 100 at 100 frames/s:
        # M(10) = 32768 * 1225 + 17600 <= 40 MiB < M(11) = 32768 * 1327 + 19200,
        # so K = 10 (a 10 s window), with a warning. At 500 frames/s (B = 500)
        # M(1) = 32768 * 1507 + 16000 = 47.1 MiB: K = 1, over the cap, warned.
        for rate, blocks, warning in (
                (100, 10, "the resting-load window is shortened to 10 s to keep memory under "
                          "40 MiB"),
                (500, 1, "the resting-load estimator needs 47.1 MiB at this frame rate and "
                         "grid, more than its 40 MiB cap even with a window of one block (1 s)")):
            session = self.flat_session("grid128-%d" % rate, 128, 128, rate)
            result = analyze(session)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn(warning, result.stderr)
            summary = load_json(session[:-3] + ".analysis/summary.json")
            self.assertEqual(summary["settings"]["rest_window_blocks"], blocks)
            self.assertIn(session + ": " + warning, "\n".join(summary["warnings"]))
        # 16 x 200: cell = clamp(min(640 / 16, 640 / 200), 4, 24) = 4, so the
        # grid is 800 px wide: W = 200 * 4 + 182 = 982, H = 16 * 4 + 104 = 168.
        session = self.flat_session("wide", 16, 200, 10)
        regions = os.path.join(self.dir, "wide.regions")
        with open(regions, "w") as out:
            out.write("all rect 0-15 0-199\n")
        result = analyze("--regions", regions, session)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(png_size(os.path.join(self.dir, "wide.analysis", "heatmap_mean.png")),
                         (982, 168))

    def test_golden_files(self):
        out = self.run_hand()
        if os.environ.get("MTABLE_UPDATE_GOLDEN"):
            for name in ("regions.csv", "visits.csv", "series.csv", "summary.json"):
                shutil.copy(os.path.join(out, name), os.path.join(FIXTURES, "hand." + name))
        for name in ("regions.csv", "visits.csv", "series.csv"):
            with open(os.path.join(out, name)) as a, open(os.path.join(FIXTURES, "hand." + name)) as b:
                self.assertEqual(a.read(), b.read(), name + " differs from the golden file")
        summary = load_json(os.path.join(out, "summary.json"))
        golden = load_json(os.path.join(FIXTURES, "hand.summary.json"))
        for document in (summary, golden):  # what depends on where and with what it ran
            del document["generator"]
            del document["session"]["path"]
            del document["session"]["port"]
            del document["session"]["software"]
            document["settings"]["regions"] = os.path.basename(document["settings"]["regions"])
        self.assertEqual(summary, golden)

    def test_unfinished_session_is_analysed_and_says_so(self):
        session, regions = make_session(self.dir, "crashed", extra=["--leave-open"])
        with self.assertRaises(OSError):  # an ordinary open refuses it
            h5py.File(session, "r").close()
        result = analyze("--regions", regions, session)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("still being recorded or not recovered after a crash; analysing the 12 "
                      "frames flushed so far", result.stderr)
        summary = load_json(os.path.join(self.dir, "crashed.analysis", "summary.json"))
        self.assertFalse(summary["complete"])
        self.assertIsNone(summary["session"]["end_state"])
        self.assertEqual(summary["totals"]["frames_analysed"], 12)
        self.assertEqual(len(summary["warnings"]), 1)

    def test_rerun_replaces_its_own_output_only(self):
        out = self.run_hand()
        with open(os.path.join(out, "stale.txt"), "w") as f:
            f.write("from an earlier run")
        session, regions = os.path.join(self.dir, "hand.h5"), os.path.join(self.dir, "tiny.regions")
        self.assertEqual(analyze("--regions", regions, session).returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(out, "stale.txt")))
        self.assertTrue(os.path.exists(os.path.join(out, "report.html")))
        # A directory mtable-analyze did not write is never replaced.
        mine = os.path.join(self.dir, "mine")
        os.mkdir(mine)
        result = analyze("--regions", regions, "--out", mine, session)
        self.assertEqual(result.returncode, 1)
        self.assertIn("exists and was not written by mtable-analyze", result.stderr)
        self.assertEqual(os.listdir(mine), [])


if __name__ == "__main__":
    ANALYZE, IMPORT, FIXTURES = sys.argv[1:4]
    del sys.argv[1:4]
    unittest.main(verbosity=2)
