"""End to end: the table's firmware built for the host -> pty -> mtable-acqd -> session file.

mtable-firmware-host runs hw/firmware unchanged against a simulated resistive
matrix (hw/firmware/host). The test checks that the session file holds exactly
the frames the firmware sent (its --tee, decoded by protocol_reference.py),
and that every frame holds what the simulated matrix reads, recomputed here
from hw/README.md's description: the test pattern in pascals, the sensor law
R = R0 / (1 + p / P0), and the divider with every other row at VREF. Nothing
here uses the C code's numbers.

    /usr/bin/python3 tests/e2e/test_firmware_host.py BUILD_DIR FIRMWARE_EXECUTABLE
"""
import sys
import unittest

import h5py
import numpy

from harness import Run, wait_for

BUILD_DIR = None
FIRMWARE = None

# hw/README.md, "The simulated table".
R_REF_OHMS, R0_OHMS, P0_PA, ADC_MAX = 4700, 10000000, 10, 4095
CLIENT_PA, HAND_PA, ELBOW_PA = 3000, 40000, 90000


def paraboloid(inside, scale, peak):
    """peak * inside / scale where inside > 0, else 0, rounding down (all whole numbers)."""
    return numpy.where(inside > 0, peak * inside // scale, 0)


def pattern_pa(rows, cols, scan):
    """The test pattern of hw/README.md: a client's ellipse and two moving discs."""
    row, col = numpy.meshgrid(numpy.arange(rows, dtype=numpy.int64),
                              numpy.arange(cols, dtype=numpy.int64), indexing="ij")
    a, b = max(1, 7 * rows // 16), max(1, cols // 4)
    dr, dc = row - rows // 2, col - cols // 2
    pressure = paraboloid(a * a * b * b - dr * dr * b * b - dc * dc * a * a, a * a * b * b,
                          CLIENT_PA)
    travel = 3 * rows // 4 + 1
    discs = ((rows // 8 + (scan // 2) % travel, cols // 2 - cols // 6, max(1, cols // 8), HAND_PA),
             (rows - 1 - rows // 8 - (scan // 3) % travel, cols // 2 + cols // 6,
              max(1, cols // 16), ELBOW_PA))
    for centre_row, centre_col, radius, peak in discs:
        d2 = (row - centre_row) ** 2 + (col - centre_col) ** 2
        pressure = pressure + paraboloid(radius * radius - d2, radius * radius, peak)
    return pressure


def frame_values(pressure):
    """Values the firmware sends: 4095 - the ADC's reading of each taxel with only its row low.

    In conductance units of 1 / (R0 P0 R_ref) S, a taxel is R_ref (P0 + p) and the reference
    resistor R0 P0; the reading is 4095 * (what pulls the column up) / (everything on it),
    rounded half up.
    """
    g = R_REF_OHMS * (P0_PA + pressure)
    total = R0_OHMS * P0_PA + g.sum(axis=0)
    to_reference = total - g
    reading = (2 * ADC_MAX * to_reference + total) // (2 * total)
    return (ADC_MAX - reading).astype(numpy.uint16)


class FirmwareHostTest(unittest.TestCase):
    def record(self, device_args, daemon_args, frames):
        """Runs the firmware and the daemon until the file holds frames frames; returns
        (DEVICE_INFOs sent, frames sent, the file's attributes and datasets)."""
        with Run(BUILD_DIR) as run:
            run.start_device(FIRMWARE, *device_args)
            run.start_daemon("--subject", "S01", *daemon_args)
            wait_for(lambda: run.session_files() and
                     run.frames_in_file(run.session_files()[0]) >= frames,
                     30, "the daemon to record %d frames" % frames)
            self.assertEqual(run.stop(run.daemon), 0, run.log_text())
            self.assertEqual(run.stop(run.sim), 0)
            infos, sent = run.sent()
            files = run.session_files()
            self.assertEqual(len(files), 1)
            with h5py.File(files[0], "r") as f:
                recorded = {name: f[name][:] for name in ("frames", "sequence", "device_time_us")}
                attrs = dict(f.attrs)
            with open(run.device_log) as log:
                sys.stderr.write(log.read())
        return infos, sent, attrs, recorded

    def check_recording(self, infos, sent, attrs, recorded, rows, cols, period_us):
        # The file holds the frames sent, bit for bit: all of them but a last one the daemon
        # may have stopped before reading.
        count = len(recorded["sequence"])
        self.assertIn(len(sent) - count, (0, 1))
        numpy.testing.assert_array_equal(recorded["sequence"], [fr.sequence for fr in sent[:count]])
        numpy.testing.assert_array_equal(recorded["device_time_us"],
                                         [fr.device_time_us for fr in sent[:count]])
        self.assertTrue(numpy.array_equal(recorded["frames"],
                                          numpy.stack([fr.values for fr in sent[:count]])))
        # Every frame is the simulated matrix's reading of the pattern for its scan: the
        # firmware numbers its scans from 0 and the matrix moves the pattern on at each.
        for fr in sent:
            expected = frame_values(pattern_pa(rows, cols, fr.sequence))
            if not numpy.array_equal(fr.values, expected):
                diff = numpy.argwhere(fr.values != expected)[0]
                self.fail("frame %d, taxel %s: %d, expected %d" % (
                    fr.sequence, tuple(diff), fr.values[tuple(diff)], expected[tuple(diff)]))
        # Scans begin on the frame ticks: consecutive frames one period apart (median, so a
        # busy test machine's late wake-up does not count).
        steps = [(b.device_time_us - a.device_time_us) / (b.sequence - a.sequence)
                 for a, b in zip(sent, sent[1:])]
        self.assertAlmostEqual(float(numpy.median(steps)), period_us, delta=period_us * 0.05)
        # The identity the file carries is the firmware's.
        self.assertEqual(attrs["device_rows"], rows)
        self.assertEqual(attrs["device_cols"], cols)
        self.assertEqual(attrs["device_serial"], "MT-E2E-0001")
        self.assertEqual(attrs["device_adc_bits"], 12)
        self.assertAlmostEqual(attrs["device_row_pitch_mm"], 30.0)
        self.assertAlmostEqual(attrs["device_col_pitch_mm"], 21.875)
        self.assertEqual(attrs["device_firmware_version"], "%d.%d.%d" % infos[0]["firmware"])
        self.assertFalse(infos[0]["streaming"])  # the DEVICE_INFO sent at power-up

    def test_default_table_at_100_frames_per_second(self):
        infos, sent, attrs, recorded = self.record(["--serial", "MT-E2E-0001"], [], 150)
        self.check_recording(infos, sent, attrs, recorded, 64, 32, 10000)
        self.assertAlmostEqual(attrs["device_frame_rate_hz"], 100.0)

    def test_other_grid_at_the_rate_the_daemon_sets(self):
        # 20 columns: the second multiplexer is partly used. The daemon asks for 50 frames/s.
        infos, sent, attrs, recorded = self.record(
            ["--serial", "MT-E2E-0001", "--rows", "24", "--cols", "20"], ["--rate", "50"], 60)
        self.check_recording(infos, sent, attrs, recorded, 24, 20, 20000)


if __name__ == "__main__":
    BUILD_DIR = sys.argv.pop(1)
    FIRMWARE = sys.argv.pop(1)
    unittest.main(verbosity=2)
