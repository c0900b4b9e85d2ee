"""Real recordings from another lab (PhysioNet PmatData, ../shared/data/pmatdata),
imported with mtable-import into session files and analysed by mtable-analyze.

- Every experiment i file of subject S1 (17 postures, 64 x 32, ~1 frame/s):
  imports with the garbage frame 1 left out as a one-frame gap and a marker,
  and the batch analysis of all of them succeeds, lists the sessions in
  start-time order, and gives plausible numbers: the centre of pressure of
  every loaded frame lies inside the bounding box of the taxels that carry
  load in that frame, the total load and contact area are those of a person
  lying on the mat (substantial load: see check_plausible).
- Every experiment ii file (64 x 27 averaged frames, one per file) imports as
  a one-frame session and analyses with the default map scaled (and says so).

    /usr/bin/python3 tests/e2e/test_import_pmatdata.py MTABLE_ANALYZE MTABLE_IMPORT SHARED_DATA
"""
import csv
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy

ANALYZE = IMPORT = DATA = None


def lines_of(path):
    with open(path) as f:
        return sum(1 for line in f if line.strip())


class PmatData(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mtable-pmat-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def import_file(self, source, session, *args):
        run = subprocess.run([IMPORT] + list(args) + [source, session], capture_output=True,
                             text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        return run.stderr

    def check_plausible(self, out, min_total, min_contact, contact_threshold=20):
        with h5py.File(os.path.join(out, "results.h5"), "r") as f:
            total = f["series/total_load"][:]
            cop = numpy.stack([f["series/cop_row"][:], f["series/cop_col"][:]], axis=1)
            frames = f["series/frame"][:]
        with h5py.File(self.session_of[out], "r") as f:
            values = f["frames"][:]
        loaded = total > 0.1 * numpy.median(total)
        self.assertGreater(loaded.sum(), 0)
        for i in numpy.flatnonzero(loaded):
            # Substantial load: a quarter of the frame's 99th percentile (a
            # saturated spike must not shrink the body to one taxel) and above
            # the noise floor.
            frame = values[frames[i]]
            rows, cols = numpy.nonzero(frame > max(contact_threshold,
                                                   0.25 * numpy.percentile(frame, 99)))
            self.assertTrue(rows.min() <= cop[i, 0] <= rows.max(), "%s frame %d" % (out, i))
            self.assertTrue(cols.min() <= cop[i, 1] <= cols.max(), "%s frame %d" % (out, i))
        self.assertGreater(numpy.median(total), min_total)
        with open(os.path.join(out, "series.csv")) as f:
            contact = [int(r["contact_taxels"]) for r in csv.DictReader(f)]
        self.assertGreater(numpy.median(contact), min_contact)

    def test_experiment_i(self):
        sources = sorted(glob.glob(os.path.join(DATA, "pmatdata", "experiment-i", "S1", "*.txt")),
                         key=lambda p: int(os.path.basename(p)[:-4]))
        self.assertEqual(len(sources), 17)
        sessions = os.path.join(self.dir, "sessions")
        os.mkdir(sessions)
        self.session_of = {}
        for source in sources:
            n = int(os.path.basename(source)[:-4])
            session = os.path.join(sessions, "S1-posture%02d.h5" % n)
            # Later postures get earlier start times: the summary must sort by time.
            log = self.import_file(source, session, "--subject", "S1",
                                   "--start-time", "2017-01-01T00:%02d:00Z" % (30 - n))
            self.assertIn("frame 1 left out", log)
            with h5py.File(session, "r") as f:
                self.assertEqual(f.attrs["device_serial"], "FSA-SoftFlex2048")
                self.assertEqual(f.attrs["port"], "import:" + source)
                self.assertEqual(f.attrs["end_state"], "closed")
                self.assertEqual(f["frames"].shape, (lines_of(source) - 1, 64, 32))
                self.assertEqual(list(f["sequence"][:3]), [0, 2, 3])
                self.assertEqual(f.attrs["frames_missing"], 1)
                self.assertIn(b"frame 1 skipped", f["markers"][0]["label"])
            self.session_of[os.path.join(self.dir, "batch", os.path.basename(session)[:-3]
                                         + ".analysis")] = session
        out = os.path.join(self.dir, "batch")
        run = subprocess.run([ANALYZE, "-q", "--out", out, sessions], capture_output=True,
                             text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stderr, "")
        with open(os.path.join(out, "summary.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([r["session_id"] for r in rows],
                         ["S1-posture%02d" % n for n in range(17, 0, -1)])
        for analysis in self.session_of:
            # A person on a bed mat: tens of thousands of counts in total, and
            # hundreds of taxels in contact.
            self.check_plausible(analysis, min_total=2e4, min_contact=300)
        with open(os.path.join(out, "summary.json")) as f:
            self.assertEqual(len(json.load(f)["sessions"]), 17)

    def test_experiment_ii(self):
        sources = sorted(glob.glob(os.path.join(DATA, "pmatdata", "experiment-ii", "S1", "*",
                                                "*.txt")))
        self.assertGreater(len(sources), 40)
        self.session_of = {}
        sessions = os.path.join(self.dir, "sessions")
        os.mkdir(sessions)
        out = os.path.join(self.dir, "batch")
        for source in sources:
            name = os.path.basename(os.path.dirname(source)) + "-" + os.path.basename(source)[:-4]
            session = os.path.join(sessions, name + ".h5")
            self.import_file(source, session, "--subject", "S1")
            with h5py.File(session, "r") as f:
                self.assertEqual(f["frames"].shape, (1, 64, 27))
                self.assertEqual(f.attrs["device_serial"], "BodiTrak-BT3510")
            self.session_of[os.path.join(out, name + ".analysis")] = session
        # The BodiTrak's noise floor is 40-50: count contact from 60 counts.
        run = subprocess.run([ANALYZE, "-q", "--contact", "60", "--out", out, sessions],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stderr.count("scaled proportionally to this 64 x 27 grid"),
                         len(sources))
        for analysis in self.session_of:
            self.check_plausible(analysis, min_total=2e4, min_contact=300, contact_threshold=60)

if __name__ == "__main__":
    ANALYZE, IMPORT, DATA = sys.argv[1:4]
    del sys.argv[1:4]
    unittest.main(verbosity=2)
