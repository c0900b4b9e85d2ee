"""End to end: mtable-sim -> pty -> mtable-acqd -> session file, checked with h5py and h5dump.

    /usr/bin/python3 tests/e2e/test_record.py BUILD_DIR
"""
import os
import re
import signal
import subprocess
import sys
import time
import unittest

import h5py
import numpy

from harness import Run, wait_for

BUILD_DIR = None


class RecordTest(unittest.TestCase):
    def test_every_frame_recorded_bit_for_bit(self):
        with Run(BUILD_DIR) as run:
            run.start_sim("--seed", "7", "--frames", "300", "--rate", "200")
            started_ns = time.time_ns()
            run.start_daemon("--subject", "S01", "--operator", "T07")
            wait_for(lambda: len(run.sent()[1]) == 300, 30, "the simulator to send 300 frames")
            wait_for(lambda: run.session_files() and run.frames_in_file(run.session_files()[0]) == 300,
                     30, "the daemon to record 300 frames")
            self.assertEqual(run.stop(run.daemon), 0, run.log_text())
            stopped_ns = time.time_ns()
            run.stop(run.sim)

            infos, sent = run.sent()
            files = run.session_files()
            self.assertEqual(len(files), 1)
            self.assertRegex(os.path.basename(files[0]), r"^S01-\d{8}T\d{6}Z\.h5$")
            with h5py.File(files[0], "r") as f:  # a plain open: the file was closed cleanly
                a = f.attrs
                self.assertEqual(a["schema"], "mtable-session")
                self.assertEqual(a["schema_version"], 1)
                self.assertEqual(a["subject_id"], "S01")
                self.assertEqual(a["operator_id"], "T07")
                self.assertEqual(a["end_state"], "closed")
                self.assertEqual(a["frames_recorded"], 300)
                self.assertEqual(a["frames_missing"], 0)
                self.assertEqual(a["frames_dropped"], 0)
                info = infos[0]
                self.assertEqual(a["device_rows"], info["rows"])
                self.assertEqual(a["device_cols"], info["cols"])
                self.assertEqual(a["device_serial"], info["serial"])
                self.assertEqual(a["device_adc_bits"], info["adc_bits"])
                self.assertAlmostEqual(a["device_row_pitch_mm"], info["row_pitch_um"] / 1000.0)
                self.assertAlmostEqual(a["device_frame_rate_hz"], info["rate_mhz"] / 1000.0)
                self.assertEqual(a["device_firmware_version"], "%d.%d.%d" % info["firmware"])
                self.assertEqual(a["port"], run.link)

                self.assertEqual(f["frames"].shape, (300, info["rows"], info["cols"]))
                self.assertEqual(f["frames"].dtype, numpy.uint16)
                expected = numpy.stack([fr.values for fr in sent])
                self.assertTrue(numpy.array_equal(f["frames"][:], expected))
                numpy.testing.assert_array_equal(f["sequence"][:], [fr.sequence for fr in sent])
                numpy.testing.assert_array_equal(f["device_time_us"][:],
                                                 [fr.device_time_us for fr in sent])
                host = f["host_time_ns"][:]
                self.assertTrue(numpy.all(numpy.diff(host) >= 0))
                self.assertGreaterEqual(host[0], started_ns)
                self.assertLessEqual(host[-1], stopped_ns)
                self.assertEqual(f["link_events"].shape[0], 0)

            dump = subprocess.run(["h5dump", "-H", files[0]], capture_output=True, text=True)
            self.assertEqual(dump.returncode, 0, dump.stderr)
            self.assertIn('DATASET "frames"', dump.stdout)

    def test_kill_9_keeps_everything_older_than_the_flush_interval(self):
        with Run(BUILD_DIR) as run:
            run.start_sim("--seed", "3", "--rate", "100")
            run.start_daemon("--subject", "S02")
            wait_for(lambda: run.session_files() and run.frames_in_file(run.session_files()[0]) >= 100,
                     30, "the daemon to record 100 frames")
            time.sleep(0.5)
            sent_early = len(run.sent()[1])  # all of these are over 1 s old at the kill
            time.sleep(1.5)
            run.daemon.send_signal(signal.SIGKILL)
            run.daemon.wait()
            path = run.session_files()[0]

            # A SWMR reader opens the crashed file as it is, with no repair step.
            with h5py.File(path, "r", libver="latest", swmr=True) as f:
                kept = f["frames"].shape[0]
                self.assertGreaterEqual(kept, sent_early)
                self.assertEqual(f["sequence"].shape[0], kept)
                _, sent = run.sent()
                expected = numpy.stack([fr.values for fr in sent[:kept]])
                self.assertTrue(numpy.array_equal(f["frames"][:], expected))
                numpy.testing.assert_array_equal(f["sequence"][:], numpy.arange(kept))

            # The next start finishes the file; then every reader opens it.
            run.start_daemon("--subject", "S02", "--duration", "0.5")
            self.assertEqual(run.daemon.wait(timeout=20), 0, run.log_text())
            self.assertRegex(run.log_text(), re.escape(path) + r" was left open by a crashed run")
            with h5py.File(path, "r") as f:
                self.assertEqual(f.attrs["end_state"], "recovered")
                self.assertEqual(f.attrs["frames_recorded"], kept)
                self.assertEqual(f["frames"].shape[0], kept)
            dump = subprocess.run(["h5dump", "-H", path], capture_output=True, text=True)
            self.assertEqual(dump.returncode, 0, dump.stderr)
            run.stop(run.sim)

    def test_rate_asked_for_is_the_rate_recorded(self):
        with Run(BUILD_DIR) as run:
            run.start_sim("--seed", "4")  # 100 frames/s by default
            run.start_daemon("--subject", "S03", "--rate", "20")
            wait_for(lambda: run.session_files() and run.frames_in_file(run.session_files()[0]) >= 30,
                     30, "30 frames at 20 frames/s")
            self.assertEqual(run.stop(run.daemon), 0, run.log_text())
            run.stop(run.sim)
            with h5py.File(run.session_files()[0], "r") as f:
                self.assertEqual(f.attrs["device_frame_rate_hz"], 20.0)
                steps = numpy.diff(f["device_time_us"][:].astype(numpy.int64))
                self.assertEqual(numpy.median(steps), 50000)

    def test_sighup_starts_a_new_file_and_sigusr1_places_a_marker(self):
        with Run(BUILD_DIR) as run:
            run.start_sim("--seed", "5", "--rate", "100")
            run.start_daemon("--subject", "S04")
            wait_for(lambda: run.session_files() and run.frames_in_file(run.session_files()[0]) >= 100,
                     30, "100 frames")
            mark_ns = time.time_ns()
            run.daemon.send_signal(signal.SIGUSR1)
            time.sleep(1.0)
            run.daemon.send_signal(signal.SIGHUP)
            wait_for(lambda: len(run.session_files()) == 2 and
                     run.frames_in_file(run.session_files()[1]) >= 50, 30, "a second session file")
            self.assertEqual(run.stop(run.daemon), 0, run.log_text())
            run.stop(run.sim)
            first, second = run.session_files()
            with h5py.File(first, "r") as f, h5py.File(second, "r") as g:
                self.assertEqual(f.attrs["end_state"], "closed")
                markers = f["markers"][:]
                self.assertEqual(len(markers), 1)
                self.assertEqual(markers[0]["label"].split(b"\0")[0], b"mark")
                marker_ns, index = int(markers[0]["host_time_ns"]), int(markers[0]["frame_index"])
                self.assertLess(abs(marker_ns - mark_ns), 100_000_000)
                host = f["host_time_ns"][:]
                # Before the first frame received after it, after the last one before it.
                self.assertGreater(host[index], marker_ns)
                self.assertLessEqual(host[index - 1], marker_ns)
                # Nothing lost between the files: sequences continue.
                self.assertEqual(int(g["sequence"][0]), int(f["sequence"][-1]) + 1)
                self.assertEqual(g.attrs["subject_id"], "S04")

    def test_detached_with_relative_paths(self):
        with Run(BUILD_DIR) as run:
            run.start_sim("--seed", "6", "--rate", "100")
            daemon = subprocess.run(
                [run.exe("mtable-acqd"), "--port", "table", "--output-dir", "sessions",
                 "--capture", "capture.bin", "--subject", "S05", "--duration", "2"],
                cwd=run.dir, capture_output=True, text=True, timeout=20)
            self.assertEqual(daemon.returncode, 0, daemon.stderr)  # the parent returns at once
            capture = os.path.join(run.dir, "capture.bin")
            wait_for(lambda: run.session_files() and os.path.exists(capture), 10,
                     "the detached daemon's files, relative to where it was started")
            path = run.session_files()[0]
            wait_for(lambda: subprocess.run(["h5dump", "-H", path], capture_output=True).returncode == 0,
                     20, "the detached daemon to finish its 2 s session")
            run.stop(run.sim)
            with h5py.File(path, "r") as f:
                self.assertEqual(f.attrs["end_state"], "closed")
                self.assertGreater(f["frames"].shape[0], 100)
            self.assertGreater(os.path.getsize(capture), 100 * 4000)


if __name__ == "__main__":
    BUILD_DIR = sys.argv.pop(1)
    unittest.main(verbosity=2)
