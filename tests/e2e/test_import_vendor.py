"""Files exported by commercial pressure-mapping software (../shared/data/
vendor-exports, from the R package pressuRe), imported with mtable-import,
analysed with mtable-analyze, and checked against the numbers the vendors'
own software wrote into the same files. The files are parsed here, apart
from the C code; expected values come from them alone.

- XSENSOR (two foot sensors, 31 x 11, mmHg, 101 frames): each sensor as its
  own session. Every frame's values are in the session within the scale
  (0.05 mmHg per count); for every frame, mtable's contact taxels (--contact
  at the file's threshold) are the taxels at or above it, and the vendor's
  Contact Area, Average Pressure and Est. Load follow from mtable's series
  by the vendor's definitions (below); the vendor's Peak Pressure is the
  peak heatmap of a one-frame window (on every 10th frame and the highest
  one; --all-frames checks all).
- I-Scan (28 x 28 raw, B outside the outline): frames and times as in the
  file (B as 0); mtable's total load (--contact 1) is each frame's Raw Sum.
- pliance (812 sensors on a 29 x 28 lattice, kPa): frames (placed by the
  sensor table) and times as in the file (0.01 kPa per count); mtable's
  total load and centre of pressure give the vendor's force and centre of
  pressure of every frame, its peak heatmap the vendor's MPP per sensor.
- A cut or damaged copy of each file fails with FILE:LINE and leaves nothing.

The vendors' definitions, as found from their numbers (A: sensel area):
- XSENSOR Contact Area = (sensels >= Threshold) * A_x, with A_x = 0.74115
  cm^2 for every frame: not the file's 0.86 cm x 0.86 cm = 0.7396 cm^2
  (0.86 is rounded: sqrt(A_x) = 0.8609 cm). Average Pressure = mean over
  those sensels; Est. Load = sum of pressure (kPa) * A_x * 0.1 N.
- pliance force = sum of pressure (kPa) * sensor area * 0.1 N, centre of
  pressure in cm measured from the corner opposite the sensor table's
  origin (x = mat width - x_table, y = mat height - y_table).

    /usr/bin/python3 tests/e2e/test_import_vendor.py MTABLE_ANALYZE MTABLE_IMPORT SHARED_DATA
        [--all-frames] [--report]
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy

ANALYZE = IMPORT = DATA = None
ALL_FRAMES = REPORT = False

MMHG_PER_KPA = 7.500617   # analysis/METRICS.md section 2
MMHG_STEP = 0.05          # mtable-import's counts: mmHg per count
KPA_STEP = 0.01           # ... kPa per count


def report(name, differences):
    """With --report, prints the largest difference of a statistic."""
    if REPORT:
        print("  %-40s max |difference| %.6g over %d values" %
              (name, numpy.max(numpy.abs(differences)), numpy.size(differences)),
              file=sys.stderr)


def read_xsensor(path):
    """The XSENSOR export: threshold, units, and per frame its sensors, each
    with its name, statistics (label -> text) and values (rows x cols)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    header, frames, sensor, i = {}, [], None, 0
    while i < len(lines):
        fields = [x.strip() for x in lines[i]]
        i += 1
        if not any(fields):
            continue
        key, value = fields[0], fields[1] if len(fields) > 1 else ""
        if key == "FRAME":
            frames.append({"sensors": []})
            sensor = None
        elif not frames:
            header[key] = value
        elif key in ("Date", "Time"):
            frames[-1][key] = value
        elif key == "SENSOR":
            sensor = {"name": value, "stats": {}}
            frames[-1]["sensors"].append(sensor)
        elif key == "GROUP":
            sensor = None
        elif sensor is not None and key == "SENSELS":
            rows, cols = int(sensor["stats"]["Rows"]), int(sensor["stats"]["Columns"])
            values = []
            while len(values) < rows:
                row = [x for x in lines[i] if x.strip()]
                i += 1
                if row:
                    values.append([float(x) for x in row])
            sensor["values"] = numpy.array(values)
            assert sensor["values"].shape == (rows, cols)
        elif sensor is not None:
            sensor["stats"][key] = value
    return header, frames


def read_iscan(path):
    """The I-Scan export: header (key -> text) and frames (number, time s,
    raw sum, values with B as -1)."""
    header, frames = {}, []
    with open(path) as f:
        lines = [line.rstrip("\r\n") for line in f]
    i = 0
    while not lines[i].startswith("ASCII_DATA"):
        key, _, value = lines[i].partition(" ")
        header[key] = value.strip()
        i += 1
    rows = int(header["ROWS"])
    for i, line in enumerate(lines):
        if line.startswith("Frame "):
            fields = line.split(",")
            values = [[-1 if x == "B" else int(x) for x in lines[i + 1 + r].split(",")]
                      for r in range(rows)]
            frames.append({"number": int(fields[0].split()[1]), "time": float(fields[1]),
                           "raw_sum": int(fields[-1]), "values": numpy.array(values)})
    return header, frames


def read_pliance(path):
    """The pliance export: sensor numbers; frames (time text, values per
    sensor); the force table (time text -> force, x, y); the sensor table
    (row name -> values per sensor, in the frames' sensor order)."""
    with open(path) as f:
        lines = [line.split() for line in f]
    start = next(i for i, w in enumerate(lines) if w and w[0] == "time[secs]")
    sensors = [int(x) for x in lines[start][1:]]
    frames, i = [], start + 1
    while lines[i] and lines[i][0][0].isdigit():
        frames.append((lines[i][0], numpy.array([float(x) for x in lines[i][1:]])))
        i += 1
    force = {}
    for words in lines[i:]:
        if len(words) == 4 and words[0][0].isdigit():
            force[words[0]] = tuple(None if x == "-" else float(x) for x in words[1:])
    table_start = next(i for i, w in enumerate(lines) if w and w[0] == "sensor")
    order = [sensors.index(int(x)) for x in lines[table_start][1:]]
    table = {}
    for words in lines[table_start + 1:]:
        if len(words) == len(sensors) + 1:
            values = numpy.zeros(len(sensors))
            values[order] = [float(x) for x in words[1:]]
            table[words[0]] = values
    mpp = next(numpy.array([float(x) for x in w[1:]]) for w in lines if w and w[0] == "MPP")
    return sensors, frames, force, table, mpp


class VendorExports(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mtable-vendor-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def source(self, name):
        return os.path.join(DATA, "vendor-exports", name)

    def import_file(self, source, session, *args):
        run = subprocess.run([IMPORT] + list(args) + [source, session], capture_output=True,
                             text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        return run.stderr

    def analyse(self, session, out, *args):
        run = subprocess.run([ANALYZE, "-q", "--out", out] + list(args) + [session],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        # The only warning: the default map scaled to the vendor's grid.
        self.assertNotIn("error", run.stderr)
        with h5py.File(os.path.join(out, "results.h5"), "r") as f:
            return {name: f["series"][name][:] for name in f["series"]}, \
                f["heatmaps/raw/peak"][:]

    def test_xsensor(self):
        source = self.source("xsensor_data.csv")
        header, frames = read_xsensor(source)
        self.assertEqual(header["Units:"], "mmHg")
        threshold = float(header["Threshold:"])
        contact_counts = round(threshold / MMHG_STEP)
        for sensor in (1, 2):
            name = frames[0]["sensors"][sensor - 1]["name"]
            session = os.path.join(self.dir, "xsensor%d.h5" % sensor)
            log = self.import_file(source, session, "--sensor", str(sensor))
            self.assertIn("imported sensor %d of 2: %s" % (sensor, name), log)
            self.assertIn("--contact %d" % contact_counts, log)
            values = numpy.array([fr["sensors"][sensor - 1]["values"] for fr in frames])
            stats = [fr["sensors"][sensor - 1]["stats"] for fr in frames]
            with h5py.File(session, "r") as f:
                self.assertEqual(f.attrs["software"].split()[0], "mtable-import")
                self.assertEqual(f.attrs["device_serial"], name.split()[-1])
                self.assertEqual(f.attrs["subject_id"], "justin-08,16,2022-4km")
                self.assertEqual(f.attrs["start_time_utc"], "2022-08-16T08:21:17.982000Z")
                self.assertEqual(f.attrs["device_row_pitch_mm"], 8.6)
                self.assertEqual(f.attrs["pressure_units"], "kPa")
                stored = f["frames"][:]
                self.assertEqual(list(f["sequence"][:]), list(range(len(frames))))
                times = f["device_time_us"][:]
            # Frames within the scale; times from the Time lines (ms).
            difference = stored * MMHG_STEP - values
            report("xsensor %d frame values (mmHg)" % sensor, difference)
            self.assertLessEqual(numpy.abs(difference).max(), MMHG_STEP / 2 + 1e-9)
            clock = [sum(float(x) * k for x, k in zip(fr["Time"].split(":"), (3600, 60, 1)))
                     for fr in frames]
            self.assertEqual(list(times), [round((c - clock[0]) * 1e6) for c in clock])

            out = os.path.join(self.dir, "xsensor%d.analysis" % sensor)
            series, _ = self.analyse(session, out, "--units", "mmHg",
                                     "--contact", str(contact_counts))
            contact = (values >= threshold).sum(axis=(1, 2))
            numpy.testing.assert_array_equal(series["contact_taxels"], contact)
            vendor = {key: numpy.array([float(s[key]) for s in stats]) for key in
                      ("Contact Area (cm²)", "Average Pressure (mmHg)", "Est. Load (N)",
                       "Peak Pressure (mmHg)")}
            # The vendor's sensel area, the same in every frame of both
            # sensors: 0.741150 +- 0.000002 cm^2 fits them all.
            area, area_error = 0.74115, 2e-6
            report("xsensor %d Contact Area (cm2)" % sensor,
                   contact * area - vendor["Contact Area (cm²)"])
            self.assertTrue(numpy.all(numpy.abs(contact * area - vendor["Contact Area (cm²)"])
                                      <= 0.005 + contact * area_error))
            # METRICS's contact area uses the file's 0.86 cm: 0.21 % less.
            numpy.testing.assert_allclose(series["contact_area_cm2"], contact * 0.86 * 0.86,
                                          atol=1e-9)
            report("xsensor %d mtable contact_area_cm2 - vendor's" % sensor,
                   series["contact_area_cm2"] - vendor["Contact Area (cm²)"])
            loaded = contact > 0
            average = numpy.where(loaded, series["total_load"] / numpy.maximum(contact, 1), 0)
            report("xsensor %d Average Pressure (mmHg)" % sensor,
                   average - vendor["Average Pressure (mmHg)"])
            self.assertLessEqual(numpy.abs(average - vendor["Average Pressure (mmHg)"]).max(),
                                 0.005 + MMHG_STEP / 2)
            load = series["total_load"] / MMHG_PER_KPA * area * 0.1
            # Printed to 0.01 N; each value moved by up to 0.025 mmHg by the
            # scale and 0.005 mmHg by the vendor's printing of it.
            tolerance = 0.005 + contact * (MMHG_STEP / 2 + 0.005) / MMHG_PER_KPA * area * 0.1 \
                + load * area_error / area
            report("xsensor %d Est. Load (N)" % sensor, load - vendor["Est. Load (N)"])
            self.assertTrue(numpy.all(numpy.abs(load - vendor["Est. Load (N)"]) <= tolerance))

            # Peak Pressure: the peak heatmap of a window holding one frame.
            peak = vendor["Peak Pressure (mmHg)"]
            chosen = range(len(frames)) if ALL_FRAMES else \
                sorted(set(range(0, len(frames), 10)) | {int(numpy.argmax(peak))})
            differences = []
            for i in chosen:
                t = series["time_s"][i]
                _, heatmap = self.analyse(session, out, "--units", "mmHg",
                                          "--from", "%.6f" % max(0, t - 5e-4),
                                          "--to", "%.6f" % (t + 5e-4))
                differences.append(heatmap.max() - peak[i])
            report("xsensor %d Peak Pressure (mmHg)" % sensor, differences)
            self.assertLessEqual(numpy.abs(differences).max(), 0.005 + MMHG_STEP / 2)

    def test_iscan(self):
        source = self.source("iscan_test.csv")
        header, frames = read_iscan(source)
        session = os.path.join(self.dir, "iscan.h5")
        log = self.import_file(source, session)
        outside = int((frames[0]["values"] < 0).sum())
        self.assertIn("%d of the 28 x 28 grid cells have no sensel (B" % outside, log)
        with h5py.File(session, "r") as f:
            self.assertEqual(f.attrs["pressure_units"], "counts")
            self.assertNotIn("calibration", f)
            self.assertEqual(f.attrs["device_serial"], header["HARDWARE"])
            self.assertEqual(f.attrs["subject_id"], "hand4_index_45deg_hole35")
            self.assertEqual(f.attrs["device_row_pitch_mm"], 1.27)
            self.assertEqual(f.attrs["device_frame_rate_hz"], 1 / float(header["SECONDS_PER_FRAME"]))
            self.assertEqual(f.attrs["start_time_utc"], "2019-12-02T18:21:52.340000Z")
            stored = f["frames"][:]
            times = f["device_time_us"][:]
            self.assertEqual(list(f["sequence"][:]), list(range(len(frames))))
        self.assertEqual(len(frames), int(header["END_FRAME"]) - int(header["START_FRAME"]) + 1)
        expected = numpy.array([numpy.maximum(fr["values"], 0) for fr in frames])
        numpy.testing.assert_array_equal(stored, expected)
        self.assertEqual(list(times), [round(fr["time"] * 1e6) for fr in frames])

        series, _ = self.analyse(session, os.path.join(self.dir, "iscan.analysis"),
                                 "--contact", "1")
        report("iscan Raw Sum (counts)",
               series["total_load"] - [fr["raw_sum"] for fr in frames])
        numpy.testing.assert_array_equal(series["total_load"], [fr["raw_sum"] for fr in frames])
        numpy.testing.assert_array_equal(series["contact_taxels"], (expected > 0).sum(axis=(1, 2)))
        # Plausible: the centre of pressure of each loaded frame inside its loaded taxels.
        for i in numpy.flatnonzero(series["total_load"] > 0):
            rows, cols = numpy.nonzero(expected[i])
            self.assertTrue(rows.min() <= series["cop_row"][i] <= rows.max())
            self.assertTrue(cols.min() <= series["cop_col"][i] <= cols.max())

    def test_pliance(self):
        source = self.source("pliance_test.asc")
        sensors, frames, force, table, mpp = read_pliance(source)
        # The grid: sensors' centres on a lattice of the sensor size, row 0 at the largest y.
        width = table["x[2]"][0] - table["x[0]"][0]
        height = table["y[0]"][0] - table["y[1]"][0]
        cols = numpy.rint((table["x[c]"] - table["x[c]"].min()) / width).astype(int)
        rows = numpy.rint((table["y[c]"].max() - table["y[c]"]) / height).astype(int)
        session = os.path.join(self.dir, "pliance.h5")
        log = self.import_file(source, session)
        self.assertIn("281 frames of 29 x 28 sensels", log)
        with h5py.File(session, "r") as f:
            self.assertEqual(f["frames"].shape[1:], (rows.max() + 1, cols.max() + 1))
            self.assertAlmostEqual(f.attrs["device_row_pitch_mm"], height * 10)
            self.assertAlmostEqual(f.attrs["device_col_pitch_mm"], width * 10)
            self.assertEqual(f.attrs["device_frame_rate_hz"], 24)
            self.assertEqual(f.attrs["device_serial"], "s2160_001")
            self.assertEqual(f.attrs["subject_id"], "2112170R_1")
            self.assertEqual(f.attrs["start_time_utc"], "2023-06-17T15:21:00.000000Z")
            stored = f["frames"][:]
            times = f["device_time_us"][:]
        self.assertEqual(list(times), [round(float(t) * 1e6) for t, _ in frames])
        values = numpy.array([v for _, v in frames])
        difference = stored[:, rows, cols] * KPA_STEP - values
        report("pliance frame values (kPa)", difference)
        self.assertLessEqual(numpy.abs(difference).max(), KPA_STEP / 2 + 1e-9)
        self.assertEqual(int(stored.sum()), int(stored[:, rows, cols].sum()))  # cells without a sensor: 0

        series, peak = self.analyse(session, os.path.join(self.dir, "pliance.analysis"),
                                    "--contact", "1")
        area = width * height
        vendor = numpy.array([force[t] for t, _ in frames])
        load = series["total_load"] * area * 0.1
        # Printed to 0.001 N; each value moved by up to 0.005 kPa by the scale.
        tolerance = 0.0005 + series["contact_taxels"] * KPA_STEP / 2 * area * 0.1 + 1e-9
        report("pliance force (N)", load - vendor[:, 0])
        self.assertTrue(numpy.all(numpy.abs(load - vendor[:, 0]) <= tolerance))
        mat_width = table["x[2]"].max() + table["x[0]"].min()
        mat_height = table["y[0]"].max() + table["y[1]"].min()
        x = mat_width - (table["x[c]"].min() + series["cop_col"] * width)
        y = mat_height - (table["y[c]"].max() - series["cop_row"] * height)
        report("pliance centre of pressure x (cm)", x - vendor[:, 1])
        report("pliance centre of pressure y (cm)", y - vendor[:, 2])
        self.assertLessEqual(numpy.abs(x - vendor[:, 1]).max(), 0.0005 + 0.002)
        self.assertLessEqual(numpy.abs(y - vendor[:, 2]).max(), 0.0005 + 0.002)
        report("pliance MPP (kPa)", peak[rows, cols] - mpp)
        self.assertLessEqual(numpy.abs(peak[rows, cols] - mpp).max(), KPA_STEP / 2 + 0.0005)

    def test_damaged_files(self):
        """A line the importer cannot read: FILE:LINE, and no session left."""
        cases = [
            ("xsensor_data.csv", 67, lambda line: line.replace("107.87", "10x.87"),
             ':67: "10x.87" is not a number'),
            ("iscan_test.csv", 31, lambda line: line.replace(",5,", ",,"),
             ":31: a value after an empty field"),
            ("pliance_test.asc", 20, lambda line: line.rsplit(None, 1)[0] + "\n",
             ":20: 811 values, expected one per sensor (812)"),
        ]
        for name, number, damage, message in cases:
            with open(self.source(name), newline="") as f:
                lines = f.readlines()
            lines[number - 1] = damage(lines[number - 1])
            copy = os.path.join(self.dir, name)
            with open(copy, "w", newline="") as f:
                f.writelines(lines)
            session = os.path.join(self.dir, name + ".h5")
            run = subprocess.run([IMPORT, copy, session], capture_output=True, text=True)
            self.assertEqual(run.returncode, 1, run.stderr)
            self.assertIn(copy + message, run.stderr)
            self.assertFalse(os.path.exists(session))
        # Cut short: I-Scan's END_FRAME says how many frames there are.
        with open(self.source("iscan_test.csv")) as f:
            lines = f.readlines()
        copy = os.path.join(self.dir, "cut.csv")
        with open(copy, "w") as f:
            f.writelines(lines[:27 + 30 * 100])
        run = subprocess.run([IMPORT, copy, os.path.join(self.dir, "cut.h5")],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 1)
        self.assertIn("cut.csv:%d: the frames end at frame 100, but END_FRAME says 309"
                      % (27 + 30 * 100), run.stderr)


if __name__ == "__main__":
    ANALYZE, IMPORT, DATA = sys.argv[1:4]
    del sys.argv[1:4]
    for flag in ("--all-frames", "--report"):
        if flag in sys.argv:
            sys.argv.remove(flag)
            globals()[flag[2:].replace("-", "_").upper()] = True
    unittest.main(verbosity=2)
