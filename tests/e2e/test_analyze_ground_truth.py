"""mtable-analyze against the simulator's ground truth, and against an
independent implementation of analysis/METRICS.md.

- A simulated session (mtable-sim's own models, seed fixed, written by the
  daemon's writer at full speed by mtable-sim-session) covering every step
  of the therapist's routine and the client's shift at 90 s: every visit's
  dwell time matches the ground truth within one frame period, and no
  visit is found that the therapist did not make.
- The same with frames cut out (gaps, one of them after the shift): the
  gaps are not dwell time.
- tools/bench/analyze_numpy.py (h5py + numpy, written from METRICS.md) gives
  the same heatmaps, dwell times, visits, per-region applied pressures and
  integrals, and time with no region active: on a plain 100 Hz session, one
  with gaps, one at 2.5 frames/s (a half-frame block length) and one with a
  calibration (kPa).
- The whole chain, when built: mtable-sim -> pseudo-terminal -> mtable-acqd
  -> session file -> mtable-analyze, against the simulator's ground truth
  of the frames it sent.
- compare_ground_truth.py itself on hand-made cases (it can fail).

    /usr/bin/python3 tests/e2e/test_analyze_ground_truth.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_ground_truth as compare  # noqa: E402

BUILD_DIR = SOURCE_DIR = None


def exe(*parts):
    return os.path.join(BUILD_DIR, *parts)


class GroundTruth(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mtable-gt-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def simulate(self, name, *args):
        session = os.path.join(self.dir, name + ".h5")
        truth = os.path.join(self.dir, name + ".gt.csv")
        run = subprocess.run([exe("tools", "bench", "mtable-sim-session"), "--ground-truth",
                              truth] + list(args) + [session], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        return session, truth

    def analyze(self, session):
        run = subprocess.run([exe("analysis", "mtable-analyze"), "-q", session],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        return session[:-3] + ".analysis"

    def check(self, truth, out, drops=()):
        rate, visits_truth = compare.read_ground_truth(truth)
        problems = compare.compare(visits_truth, compare.read_visits(out + "/visits.csv"), rate,
                                   drops)
        self.assertEqual(problems, [])
        return visits_truth

    def test_whole_routine_with_the_shift(self):
        # 175 s: every step of the 160 s loop, the shift at 90 s, and the
        # loop's first step again (162-174 s), ending in a pause as sessions
        # do (a press still under way when a recording stops is partly taken
        # for resting load: METRICS.md section 3).
        session, truth = self.simulate("routine", "--seed", "11", "--duration", "175")
        visits = self.check(truth, self.analyze(session))
        self.assertEqual(len(visits), 14)  # 12 steps, one of them bilateral, then one more

    def test_gaps_are_not_dwell_time(self):
        # Frames 300-450 (in the first stroke, 2-14 s) and 9500-9599 (circular
        # friction on the pelvis, 92-104 s, after the shift) never recorded.
        drops = [(300, 450), (9500, 9599)]
        session, truth = self.simulate("gaps", "--seed", "12", "--duration", "105",
                                       "--drop", "300-450", "--drop", "9500-9599")
        out = self.analyze(session)
        self.check(truth, out, drops)
        with open(os.path.join(out, "summary.json")) as f:
            self.assertEqual(json.load(f)["session"]["gap_frames"], 151 + 100)
        with open(os.path.join(out, "regions.csv")) as f:
            rows = {line.split(",")[0]: line.split(",") for line in f}
        # upper_back_left: 12 s of stroke, 1.51 s of it missing.
        self.assertAlmostEqual(float(rows["upper_back_left"][2]), 12 - 1.51, places=6)

    def assert_numpy_agrees(self, session):
        """mtable-analyze and analyze_numpy.py on session: the same regions and heatmaps."""
        out = self.analyze(session)
        reference = session[:-3] + ".numpy.json"
        run = subprocess.run(["/usr/bin/python3",
                              os.path.join(SOURCE_DIR, "tools", "bench", "analyze_numpy.py"),
                              session, "--json", reference], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(reference) as f:
            expected = json.load(f)
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
        self.assertEqual(summary["totals"]["frames_analysed"], expected["frames"])
        self.assertAlmostEqual(summary["totals"]["analysed_s"], expected["analysed_s"], places=9)
        self.assertAlmostEqual(summary["totals"]["no_region_s"], expected["no_region_s"], places=9)
        self.assertGreater(sum(r["visits"] for r in summary["regions"]), 0)  # something to compare
        for region in summary["regions"]:
            theirs = expected["regions"][region["name"]]
            self.assertAlmostEqual(region["dwell_s"], theirs["dwell_s"], places=9)
            self.assertEqual(region["visits"], theirs["visits"])
            self.assertAlmostEqual(region["longest_visit_s"], theirs["longest_visit_s"], places=9)
            for key in ("mean_applied", "peak_applied", "integral"):  # single precision (METRICS 10)
                numpy.testing.assert_allclose(region[key], theirs[key], rtol=1e-5, atol=1e-9,
                                              err_msg="%s %s" % (region["name"], key))
        with h5py.File(os.path.join(out, "results.h5"), "r") as f:
            for variant, prefix in (("raw", ""), ("applied", "applied_")):
                for kind in ("mean", "peak", "time_above", "integral"):
                    ours = f["heatmaps/%s/%s" % (variant, kind)][:]
                    theirs = numpy.array(expected["heatmaps"][prefix + kind])
                    numpy.testing.assert_allclose(ours, theirs, rtol=1e-5,
                                                  atol=1e-6 * abs(theirs).max(),
                                                  err_msg="%s %s" % (variant, kind))
        return summary

    def test_independent_implementation_agrees(self):
        session, _ = self.simulate("numpy", "--seed", "13", "--duration", "115")
        self.assert_numpy_agrees(session)

    def test_independent_implementation_agrees_across_gaps(self):
        # Frames cut out in a stroke, in a pause and across the end of a visit.
        session, _ = self.simulate("numpy-gaps", "--seed", "15", "--duration", "60",
                                   "--drop", "250-400", "--drop", "1398-1399",
                                   "--drop", "4000-4321")
        summary = self.assert_numpy_agrees(session)
        self.assertEqual(summary["session"]["gap_frames"], 151 + 2 + 322)

    def test_independent_implementation_agrees_at_a_fractional_rate(self):
        # 2.5 frames/s: R * 1 s = 2.5 is a half, rounded up to blocks of 3 frames.
        session, _ = self.simulate("numpy-2.5hz", "--seed", "16", "--rate", "2.5",
                                   "--duration", "400")
        summary = self.assert_numpy_agrees(session)
        self.assertEqual(summary["settings"]["rest_block_frames"], 3)

    def test_independent_implementation_agrees_in_kpa(self):
        # The simulated session given a calibration (FILE_FORMAT.md: an optional
        # (P, 2) table, pressure_units "kPa"), curved so that interpolation matters.
        session, _ = self.simulate("numpy-kpa", "--seed", "17", "--duration", "60")
        with h5py.File(session, "r+") as f:
            f.create_dataset("calibration", data=numpy.array(
                [[30, 0.0], [200, 2.5], [600, 11.0], [1500, 40.0], [4095, 150.0]]))
            f.attrs["pressure_units"] = "kPa"
        summary = self.assert_numpy_agrees(session)
        self.assertEqual(summary["units"]["pressure"], "kPa")

    def test_through_the_daemon(self):
        if not (os.path.exists(exe("tools", "mtable-sim"))
                and os.path.exists(exe("acquisition", "mtable-acqd"))):
            self.skipTest("mtable-sim or mtable-acqd not built")
        from harness import Run, wait_for
        with Run(BUILD_DIR) as run:
            truth = os.path.join(run.dir, "gt.csv")
            # 16 s of model time: the first stroke (2-14 s) and pauses around it.
            run.start_sim("--seed", "14", "--duration", "16", "--linger", "1",
                          "--ground-truth", truth)
            run.start_daemon("--subject", "GT")
            self.assertEqual(run.sim.wait(timeout=60), 0)
            self.assertEqual(run.stop(run.daemon), 0, run.log_text())
            sessions = run.session_files()
            self.assertEqual(len(sessions), 1)
            out = self.analyze(sessions[0])
            visits = self.check(truth, out)
            self.assertEqual([v["region"] for v in visits], ["upper_back_left"])

    def test_comparison_can_fail(self):
        truth = [dict(region="pelvis", first=100, last=199, dwell=1.0)]
        good = [dict(region="pelvis", first=101, last=199, dwell=0.99)]
        self.assertEqual(compare.compare(truth, good, 100.0), [])
        late = [dict(region="pelvis", first=103, last=199, dwell=0.97)]
        self.assertEqual(len(compare.compare(truth, late, 100.0)), 1)  # 3 frames off
        extra = good + [dict(region="head", first=5, last=9, dwell=0.05)]
        self.assertIn("not in the ground truth", compare.compare(truth, extra, 100.0)[0])
        self.assertIn("0 analysed visits match", compare.compare(truth, [], 100.0)[0])
        gap = [dict(region="pelvis", first=100, last=199, dwell=0.5)]
        self.assertEqual(compare.compare(truth, gap, 100.0, [(120, 169)]), [])
        self.assertEqual(len(compare.compare(truth, gap, 100.0)), 1)


if __name__ == "__main__":
    BUILD_DIR, SOURCE_DIR = sys.argv[1:3]
    del sys.argv[1:3]
    unittest.main(verbosity=2)
