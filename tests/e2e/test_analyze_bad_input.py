"""mtable-analyze on bad input: one clear message naming the file (and line),
a non-zero exit, and nothing left behind that looks like results.

    /usr/bin/python3 tests/e2e/test_analyze_bad_input.py MTABLE_ANALYZE MTABLE_IMPORT
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy

ANALYZE = IMPORT = None


class BadInput(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mtable-bad-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def session(self, name="good"):
        """A valid 4 x 3 session of 5 frames written by the daemon's writer."""
        text = os.path.join(self.dir, name + ".txt")
        with open(text, "w") as f:
            for i in range(5):
                f.write("\t".join(str(100 + i) for _ in range(12)) + "\n")
        path = os.path.join(self.dir, name + ".h5")
        run = subprocess.run([IMPORT, "--grid", "4x3", "--rate", "10", text, path],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        os.remove(text)
        return path

    def regions(self, text):
        path = os.path.join(self.dir, "bad.regions")
        with open(path, "w") as f:
            f.write(text)
        return path

    def fails(self, message, *args, status=1):
        """Runs the analysis, expects status and message, and no output left."""
        before = set(os.listdir(self.dir))
        run = subprocess.run([ANALYZE, "-q"] + list(args), capture_output=True, text=True)
        self.assertEqual(run.returncode, status, run.stderr)
        self.assertIn(message, run.stderr)
        self.assertEqual(len(run.stderr.strip().splitlines()), 1, run.stderr)  # one message
        self.assertEqual(run.stdout, "")
        self.assertEqual(set(os.listdir(self.dir)), before, "outputs were left behind")
        return run.stderr

    def test_missing_file(self):
        path = os.path.join(self.dir, "absent.h5")
        self.fails(path + ": cannot open the session file: No such file or directory", path)

    def test_not_hdf5(self):
        path = os.path.join(self.dir, "notes.h5")
        with open(path, "w") as f:
            f.write("not a session\n")
        self.fails(path + ": not an HDF5 file, so not an mtable session file", path)

    def test_hdf5_but_not_a_session(self):
        path = os.path.join(self.dir, "other.h5")
        with h5py.File(path, "w") as f:
            f["data"] = numpy.arange(10)
        self.fails(path + ": not an mtable session file", path)

    def test_unknown_schema_version(self):
        path = self.session()
        with h5py.File(path, "r+") as f:
            f.attrs["schema_version"] = numpy.int32(2)
        self.fails(path + ": session schema version 2 is not known to this mtable-analyze", path)

    def test_empty_session(self):
        path = self.session()
        with h5py.File(path, "r+", libver="latest") as f:
            for name in ("frames", "sequence", "device_time_us", "host_time_ns"):
                f[name].resize(0, axis=0)
        self.fails(path + ": the session holds no frames; nothing to analyse", path)

    def test_truncated_file(self):
        path = self.session()
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.truncate(size // 2)
        self.fails(path + ": HDF5 cannot open the file", path)

    def test_regions_syntax_error(self):
        path = self.session()
        regions = self.regions("# a map\nhead rectangle 0-1 0-2\n")
        self.fails(regions + ':2: unknown shape "rectangle" (expected "rect" or "taxels")',
                   "--regions", regions, path)

    def test_region_off_the_grid(self):
        path = self.session()
        regions = self.regions("top rect 0-1 0-2\nfeet rect 3-4 0-2\n")
        self.fails(regions + ':2: region "feet": rows 3-4 are outside the grid (rows 0-3)',
                   "--regions", regions, path)

    def test_missing_regions_file(self):
        path = self.session()
        regions = os.path.join(self.dir, "none.regions")
        self.fails(regions + ": cannot open the regions file: No such file or directory",
                   "--regions", regions, path)

    def test_unknown_region_name(self):
        path = self.session()
        regions = self.regions("top rect 0-1 0-2\nbottom rect 2-3 0-2\n")
        self.fails('--only: unknown region "nose"; the regions are: top bottom',
                   "--regions", regions, "--only", "top,nose", path)

    def test_units_without_calibration(self):
        path = self.session()
        self.fails(path + ": --units kPa needs a calibrated session", "--units", "kPa", path)

    def test_bad_calibration_file(self):
        # mtable-import reads calibrations as mtable-acqd does, naming FILE:LINE.
        text = os.path.join(self.dir, "frames.txt")
        with open(text, "w") as f:
            f.write("\t".join("100" for _ in range(12)) + "\n")
        for lines, message in (
                ("counts,kPa\n0,0\n100,x\n", "cal.csv:3: expected 'counts,kPa' (two numbers)"),
                ("0,0\n# comment\n200,5\n100,9\n",
                 "cal.csv:4: counts must increase from line to line"),
                ("counts,kPa\n0,0\n", "cal.csv: a calibration needs at least two")):
            calibration = os.path.join(self.dir, "cal.csv")
            with open(calibration, "w") as f:
                f.write(lines)
            session = os.path.join(self.dir, "cal.h5")
            run = subprocess.run([IMPORT, "--grid", "4x3", "--calibration", calibration, text,
                                  session], capture_output=True, text=True)
            self.assertEqual(run.returncode, 1, run.stderr)
            self.assertIn(calibration.replace("cal.csv", message), run.stderr)
            self.assertFalse(os.path.exists(session))

    def test_bad_command_line(self):
        path = self.session()
        self.fails("--active: 'lots' is not a number", "--active", "lots", path, status=2)
        self.fails("--release 300 is above --active 200", "--release", "300", path, status=2)

    def test_batch_lists_failures_and_keeps_the_rest(self):
        good = self.session("good")
        bad = os.path.join(self.dir, "bad.h5")
        with open(bad, "w") as f:
            f.write("junk")
        out = os.path.join(self.dir, "batch")
        run = subprocess.run([ANALYZE, "-q", "--out", out, good, bad], capture_output=True,
                             text=True)
        self.assertEqual(run.returncode, 1)
        self.assertIn(bad + ": not an HDF5 file", run.stderr)
        self.assertIn("1 of 2 sessions could not be analysed", run.stderr)
        with open(os.path.join(out, "summary.csv")) as f:
            rows = f.read().splitlines()
        self.assertEqual(len(rows), 2)  # header and the good session
        self.assertTrue(os.path.exists(os.path.join(out, "good.analysis", "report.html")))
        self.assertFalse(os.path.exists(os.path.join(out, "bad.analysis")))


if __name__ == "__main__":
    ANALYZE, IMPORT = sys.argv[1:3]
    del sys.argv[1:3]
    unittest.main(verbosity=2)
