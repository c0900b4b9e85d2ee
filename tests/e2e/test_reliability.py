"""The daemon loses nothing it received, whatever the link does (issue 4).

Each test runs the real mtable-sim with a fault injected and the real
mtable-acqd through a pty, then compares the session file with what the
simulator sent (its --tee, decoded by the independent protocol_reference.py)
and with what it says it broke (its --fault-log).

    /usr/bin/python3 tests/e2e/test_reliability.py BUILD_DIR [SLOW_DISK_SO]
"""
import csv
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
import unittest

import h5py
import numpy

from harness import Run, wait_for

BUILD_DIR = None
SLOW_DISK = None
DECODE_ERRORS = {"framing_error", "truncated", "crc_error", "bad_version", "unknown_type",
                 "bad_length", "bad_field", "oversize"}
LOST_KINDS = {"garbage_inside", "flip", "truncate"}


def fault_log(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def events(f):
    """The /link_events rows as dicts with the kind's name."""
    names = {v: k for k, v in h5py.check_enum_dtype(f["link_events"].dtype["kind"]).items()}
    return [dict(host_time_ns=int(r["host_time_ns"]), kind=names[int(r["kind"])],
                 sequence=int(r["sequence"]), count=int(r["count"]), bytes=int(r["bytes"]))
            for r in f["link_events"][:]]


def final_status(log):
    """(recorded, received, dropped) from the daemon's last status line."""
    m = re.findall(r"(\d+) frames recorded of (\d+) received \([\d.]+/s\), (\d+) dropped", log)
    assert m, "no status line in the daemon's log:\n" + log
    return tuple(int(x) for x in m[-1])


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))


class Reliability(unittest.TestCase):
    def record(self, run, sim_args, frames_sent, daemon_args=(), timeout=60):
        """Runs sim and daemon until the simulator has sent frames_sent scans; stops both."""
        run.start_sim(*sim_args)
        run.start_daemon("--subject", "R", *daemon_args)
        wait_for(lambda: run.sim.poll() is None and os.path.exists(run.tee) and
                 max([fr.sequence for fr in run.sent()[1]] or [-1]) >= frames_sent - 1 - 5,
                 timeout, "the simulator to send its frames")
        time.sleep(1.5)  # the last frames reach the file, one flush interval
        status = run.stop(run.daemon)
        run.stop(run.sim)
        return status

    def test_corruption_costs_exactly_the_corrupted_frames(self):
        with Run(BUILD_DIR) as run:
            log_path = os.path.join(run.dir, "faults.csv")
            status = self.record(run, ["--seed", "11", "--rate", "300", "--frames", "900",
                                       "--garbage", "0.05", "--garbage-inside", "0.02",
                                       "--flip", "0.02", "--truncate", "0.02",
                                       "--fault-log", log_path], 900)
            self.assertEqual(status, 0, run.log_text())
            faults = fault_log(log_path)
            lost = {int(r["sequence"]) for r in faults if r["kind"] in LOST_KINDS}
            garbage = [r for r in faults if r["kind"] == "garbage"]
            self.assertGreater(len(lost), 20)
            self.assertGreater(len(garbage), 20)
            _, sent = run.sent()
            intact = [fr for fr in sent if fr.sequence not in lost]
            # The independent decoder agrees with the simulator about what survived.
            self.assertEqual([fr.sequence for fr in sent], sorted(set(range(900)) - lost))

            with h5py.File(run.session_files()[0], "r") as f:
                recorded = list(f["sequence"][:])
                self.assertEqual(recorded, [fr.sequence for fr in intact])
                self.assertTrue(numpy.array_equal(f["frames"][:],
                                                  numpy.stack([fr.values for fr in intact])))
                rows = events(f)
                rejected = sum(r["count"] for r in rows if r["kind"] in DECODE_ERRORS)
                self.assertGreaterEqual(rejected, len(lost))
                missing = sum(r["count"] for r in rows if r["kind"] == "gap")
                self.assertEqual(missing, len({s for s in lost if s < recorded[-1]}))
                self.assertEqual(f.attrs["frames_dropped"], 0)
            print("\n  corruption: 900 frames sent, %d corrupted (flipped bit, truncated or garbage "
                  "inside), %d garbage runs between packets, %d recorded, %d rejections recorded"
                  % (len(lost), len(garbage), len(recorded), rejected))

    def test_dropped_packets_are_gaps_with_their_range(self):
        with Run(BUILD_DIR) as run:
            log_path = os.path.join(run.dir, "faults.csv")
            status = self.record(run, ["--seed", "5", "--rate", "300", "--frames", "600",
                                       "--drop", "0.05", "--fault-log", log_path], 600)
            self.assertEqual(status, 0, run.log_text())
            dropped = {int(r["sequence"]) for r in fault_log(log_path) if r["kind"] == "drop"}
            with h5py.File(run.session_files()[0], "r") as f:
                recorded = set(f["sequence"][:])
                last = max(recorded)
                gap_rows = [r for r in events(f) if r["kind"] == "gap"]
                in_gaps = {s for r in gap_rows for s in range(r["sequence"], r["sequence"] + r["count"])}
                self.assertEqual(in_gaps, {s for s in dropped if s < last})
                self.assertEqual(recorded | in_gaps, set(range(last + 1)))
                self.assertEqual(f.attrs["frames_missing"], len(in_gaps))
                host = f["host_time_ns"][:]
                for r in gap_rows:
                    self.assertTrue(host[0] <= r["host_time_ns"] <= host[-1])
            print("\n  drops: %d dropped by the simulator, %d gap rows covering exactly them"
                  % (len(dropped), len(gap_rows)))

    def test_disconnect_is_noticed_at_once_and_the_session_continues(self):
        with Run(BUILD_DIR) as run:
            run.start_sim("--seed", "2", "--rate", "100", "--frames", "700",
                          "--disconnect", "2@3")
            run.start_daemon("--subject", "R")
            time.sleep(3.5)  # inside the outage
            before = cpu_seconds(run.daemon.pid)
            time.sleep(1.0)
            idle_cpu = cpu_seconds(run.daemon.pid) - before
            # 700 scanned, the 200 or so of the 2 s outage skipped by the device.
            wait_for(lambda: run.frames_in_file(run.session_files()[0]) >= 450, 30,
                     "frames after the reconnect")
            time.sleep(1.5)
            self.assertEqual(run.stop(run.daemon), 0, run.log_text())
            run.stop(run.sim)
            self.assertLess(idle_cpu, 0.05, "the daemon spins while the device is away")
            self.assertIn("device disconnected (hang-up)", run.log_text())
            files = run.session_files()
            self.assertEqual(len(files), 1, "the session must continue in the same file")
            with h5py.File(files[0], "r") as f:
                rows = events(f)
                kinds = [r["kind"] for r in rows]
                self.assertEqual(kinds.count("disconnect"), 1)
                self.assertEqual(kinds.count("reconnect"), 1)
                self.assertLess(kinds.index("disconnect"), kinds.index("reconnect"))
                seq = f["sequence"][:]
                host = f["host_time_ns"][:]
                down = next(r for r in rows if r["kind"] == "disconnect")
                up = next(r for r in rows if r["kind"] == "reconnect")
                last_before = host[numpy.searchsorted(host, down["host_time_ns"]) - 1]
                noticed_ms = (down["host_time_ns"] - last_before) / 1e6
                self.assertLess(noticed_ms, 500, "noticed by hang-up, not a watchdog")
                self.assertGreater((up["host_time_ns"] - down["host_time_ns"]) / 1e9, 1.5)
                gaps = [r for r in rows if r["kind"] == "gap"]
                missing = {s for r in gaps for s in range(r["sequence"], r["sequence"] + r["count"])}
                self.assertEqual(set(seq) | missing, set(range(seq[-1] + 1)))
                self.assertEqual(f.attrs["disconnects"], 1)
            print("\n  disconnect: noticed %.0f ms after the last frame, back after %.1f s, %d frames "
                  "missed during the outage recorded as a gap, daemon CPU while waiting %.3f s/s"
                  % (noticed_ms, (up["host_time_ns"] - down["host_time_ns"]) / 1e9, len(missing),
                     idle_cpu))

    def test_device_reset_is_recorded_and_the_session_continues(self):
        with Run(BUILD_DIR) as run:
            status = self.record(run, ["--seed", "3", "--rate", "100", "--frames", "400",
                                       "--reset-at", "2"], 200)
            self.assertEqual(status, 0, run.log_text())
            _, sent = run.sent()
            files = run.session_files()
            self.assertEqual(len(files), 1)
            with h5py.File(files[0], "r") as f:
                seq = list(f["sequence"][:])
                restart = next(i for i in range(1, len(seq)) if seq[i] < seq[i - 1])
                self.assertEqual(seq[restart], 0)
                self.assertEqual([r["kind"] for r in events(f)].count("device_reset"), 1)
                self.assertEqual(seq, [fr.sequence for fr in sent][:len(seq)])
                self.assertGreater(len(seq) - restart, 100)

    def test_grid_change_starts_a_new_session_file(self):
        with Run(BUILD_DIR) as run:
            status = self.record(run, ["--seed", "4", "--rate", "100", "--frames", "400",
                                       "--grid-change", "32x16@2"], 200)
            self.assertEqual(status, 0, run.log_text())
            infos, sent = run.sent()
            files = run.session_files()
            self.assertEqual(len(files), 2, "one session file per grid")
            with h5py.File(files[0], "r") as a, h5py.File(files[1], "r") as b:
                self.assertEqual(a["frames"].shape[1:], (64, 32))
                self.assertEqual(b["frames"].shape[1:], (32, 16))
                self.assertEqual((b.attrs["device_rows"], b.attrs["device_cols"]), (32, 16))
                self.assertEqual(a["frames"].shape[0] + b["frames"].shape[0], len(sent))
            self.assertIn("changed from 64x32 at 100.000 frames/s to 32x16", run.log_text())

    def test_slow_writer_drops_are_counted_and_memory_stays_bounded(self):
        if SLOW_DISK is None:
            self.skipTest("needs the slow-disk shim (tests/e2e/slow_disk.c)")
        with Run(BUILD_DIR) as run:
            run.start_sim("--seed", "6", "--rate", "400", "--frames", "1600")
            # A sanitizer runtime need not come first when the shim is preloaded.
            env = dict(os.environ, LD_PRELOAD=SLOW_DISK, MTABLE_SLOW_DISK_US="300000",
                       ASAN_OPTIONS="verify_asan_link_order=0")
            with open(run.daemon_log, "ab") as log:
                run.daemon = subprocess.Popen(
                    [run.exe("mtable-acqd"), "--port", run.link, "--output-dir", run.out,
                     "--foreground", "--status-interval", "1", "--subject", "R",
                     "--ring-frames", "64"], stdout=log, stderr=log, env=env)
            wait_for(lambda: len(run.sent()[1]) >= 1600, 60, "the simulator to send its frames")
            time.sleep(1.0)
            peak = peak_rss_kib(run.daemon.pid)
            self.assertEqual(run.stop(run.daemon, timeout=60), 0, run.log_text())
            run.stop(run.sim)
            recorded, received, dropped = final_status(run.log_text())
            self.assertEqual(received, 1600, "the reader must keep reading")
            self.assertGreater(dropped, 0)
            self.assertEqual(recorded + dropped, received)
            with h5py.File(run.session_files()[0], "r") as f:
                self.assertEqual(f["frames"].shape[0], recorded)
                drop_rows = [r for r in events(f) if r["kind"] == "drop"]
                self.assertEqual(sum(r["count"] for r in drop_rows), dropped)
                self.assertEqual(f.attrs["frames_dropped"], dropped)
                recorded_seq = set(f["sequence"][:])
                in_drops = {s for r in drop_rows for s in range(r["sequence"], r["sequence"] + r["count"])}
                self.assertEqual(recorded_seq | in_drops, set(range(1600)))
                self.assertFalse(recorded_seq & in_drops)
            self.assertLess(peak, 64 * 1024, "peak RSS %d KiB" % peak)
            print("\n  slow writer: 1600 frames received, %d recorded, %d dropped in %d drop rows, "
                  "peak RSS %.1f MiB" % (recorded, dropped, len(drop_rows), peak / 1024))

    def test_kill_9_at_random_moments(self):
        rng = random.Random(9)
        with Run(BUILD_DIR) as run:
            run.start_sim("--seed", "8", "--rate", "200")
            kept = []
            for attempt in range(20):
                before = set(run.session_files())
                run.start_daemon("--subject", "K")
                wait_for(lambda: set(run.session_files()) - before, 20, "a new session file")
                path = (set(run.session_files()) - before).pop()
                time.sleep(rng.uniform(0.3, 1.5))
                last_sent = max(fr.sequence for fr in run.sent()[1])
                time.sleep(1.2)  # everything sent up to here is older than the flush interval
                run.daemon.send_signal(signal.SIGKILL)
                run.daemon.wait()
                with h5py.File(path, "r", libver="latest", swmr=True) as f:
                    seq = f["sequence"][:]
                    self.assertGreater(len(seq), 0)
                    self.assertTrue(numpy.all(numpy.diff(seq.astype(numpy.int64)) == 1))
                    self.assertGreaterEqual(seq[-1], last_sent,
                                            "attempt %d lost frames older than the flush interval"
                                            % attempt)
                    self.assertEqual(f["frames"].shape[0], len(seq))
                kept.append((path, len(seq)))
            run.start_daemon("--subject", "K", "--duration", "1")  # recovers the last one
            self.assertEqual(run.daemon.wait(timeout=30), 0, run.log_text())
            run.stop(run.sim)
            for path, frames in kept:
                with h5py.File(path, "r") as f:
                    self.assertEqual(f.attrs["end_state"], "recovered")
                    self.assertGreaterEqual(f.attrs["frames_recorded"], frames)
                analyze = os.path.join(BUILD_DIR, "analysis", "mtable-analyze")
                if os.path.exists(analyze):
                    out = os.path.join(run.dir, "analysis-" + os.path.basename(path))
                    result = subprocess.run([analyze, path, "--out", out], capture_output=True,
                                            text=True)
                    self.assertEqual(result.returncode, 0, result.stderr)
            print("\n  kill -9: 20 kills, every file recovered and readable, %d to %d frames each"
                  % (min(k for _, k in kept), max(k for _, k in kept)))

    def test_file_size_limit_is_a_clear_error_and_keeps_what_was_written(self):
        with Run(BUILD_DIR) as run:
            run.start_sim("--seed", "7", "--rate", "200")

            def limit():
                resource.setrlimit(resource.RLIMIT_FSIZE, (3 << 20, 3 << 20))

            with open(run.daemon_log, "ab") as log:
                run.daemon = subprocess.Popen(
                    [run.exe("mtable-acqd"), "--port", run.link, "--output-dir", run.out,
                     "--foreground", "--subject", "F"], stdout=log, stderr=log,
                    preexec_fn=limit)
            status = run.daemon.wait(timeout=60)
            self.assertEqual(status, 1, run.log_text())
            path = run.session_files()[0]
            log = run.log_text()
            self.assertRegex(log, re.escape(path) + r".*File too large")
            with h5py.File(path, "r", libver="latest", swmr=True) as f:
                kept = f["frames"].shape[0]
                self.assertGreater(kept, 100)
            run.start_daemon("--subject", "F", "--duration", "0.5")  # no limit: recovers it
            self.assertEqual(run.daemon.wait(timeout=30), 0, run.log_text())
            run.stop(run.sim)
            with h5py.File(path, "r") as f:
                self.assertIn(f.attrs["end_state"], ("recovered", "closed"))
                self.assertEqual(f["frames"].shape[0], f.attrs["frames_recorded"])
                self.assertGreaterEqual(f["frames"].shape[0], kept)
            print("\n  size limit: exit status 1, %d frames kept and readable" % kept)

    def test_sigterm_during_a_burst_writes_everything_received(self):
        with Run(BUILD_DIR) as run:
            run.start_sim("--seed", "12", "--rate", "100", "--frames", "5000",
                          "--burst", "3000@2")
            run.start_daemon("--subject", "B", "--ring-frames", "8192")
            wait_for(lambda: len(run.sent()[1]) > 1000, 30, "the burst to start")
            self.assertEqual(run.stop(run.daemon), 0, run.log_text())
            run.stop(run.sim)
            recorded, received, dropped = final_status(run.log_text())
            self.assertEqual(dropped, 0)
            self.assertEqual(recorded, received)
            self.assertGreater(received, 1000)
            _, sent = run.sent()
            with h5py.File(run.session_files()[0], "r") as f:
                self.assertEqual(f["frames"].shape[0], received)
                self.assertTrue(numpy.array_equal(
                    f["frames"][:], numpy.stack([fr.values for fr in sent[:received]])))
            print("\n  SIGTERM in a burst: %d frames received, all %d in the file"
                  % (received, recorded))


if __name__ == "__main__":
    BUILD_DIR = sys.argv.pop(1)
    if len(sys.argv) > 1 and sys.argv[1].endswith(".so"):
        SLOW_DISK = sys.argv.pop(1)
    unittest.main(verbosity=2)
