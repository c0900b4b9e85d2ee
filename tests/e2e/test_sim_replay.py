"""End-to-end: mtable-sim --replay and --replay-raw, seen by a host and by mtable-acqd.

Session files for replay are written here with h5py from acquisition/FILE_FORMAT.md (an
implementation independent of the C writer and reader), or recorded by the real daemon
from the real simulator (harness.py). What the replaying simulator sends is decoded with
protocol_reference.py and compared with the file, value for value; a session replayed
into the daemon gives a file whose frames, sequence numbers and device times are the
original's, bit for bit.

    /usr/bin/python3 tests/e2e/test_sim_replay.py BUILD_DIR SOURCE_DIR
"""
import csv
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy

BUILD_DIR = None  # from the command line
SIM = None  # BUILD_DIR's mtable-sim
ref = SimRun = Run = wait_for = None  # modules of tests/e2e, imported from SOURCE_DIR

# The recorded device of the written sessions: nothing like the simulator's defaults.
DEVICE = {"rows": 11, "cols": 5, "rate_hz": 50.0, "adc_bits": 10, "row_pitch_mm": 25.4,
          "col_pitch_mm": 12.5, "firmware": "2.3.17", "serial": "LAB-TABLE-07"}


def write_session(path, sequences, device_times, device=DEVICE, seed=1):
    """A session file as FILE_FORMAT.md describes it; values from a seeded generator.
    Returns the frames written, (N, rows, cols) uint16."""
    rows, cols = device["rows"], device["cols"]
    generator = numpy.random.default_rng(seed)
    frames = generator.integers(0, 2 ** device["adc_bits"], size=(len(sequences), rows, cols),
                                dtype=numpy.uint16)
    with h5py.File(path, "w", libver="latest") as f:
        a = f.attrs
        a["schema"] = "mtable-session"
        a["schema_version"] = numpy.int32(1)
        a["session_id"] = os.path.basename(path)[:-3]
        a["device_rows"] = numpy.int32(rows)
        a["device_cols"] = numpy.int32(cols)
        a["device_frame_rate_hz"] = numpy.float64(device["rate_hz"])
        a["device_adc_bits"] = numpy.int32(device["adc_bits"])
        a["device_row_pitch_mm"] = numpy.float64(device["row_pitch_mm"])
        a["device_col_pitch_mm"] = numpy.float64(device["col_pitch_mm"])
        a["device_firmware_version"] = device["firmware"]
        a["device_serial"] = device["serial"]
        f.create_dataset("frames", data=frames, chunks=(8, rows, cols), maxshape=(None, rows, cols),
                         shuffle=True, compression="gzip")
        f.create_dataset("sequence", data=numpy.array(sequences, dtype=numpy.uint32))
        f.create_dataset("device_time_us", data=numpy.array(device_times, dtype=numpy.uint64))
        f.create_dataset("host_time_ns", data=numpy.zeros(len(sequences), dtype=numpy.int64))
    return frames


def device_info_fields(payload):
    rows, cols, row_um, col_um, bits, flags, _, rate, major, minor, patch = struct.unpack(
        "<HHIIBBHIBBH", payload[:24])
    return {"rows": rows, "cols": cols, "row_pitch_um": row_um, "col_pitch_um": col_um,
            "adc_bits": bits, "streaming": bool(flags & 1), "rate_mhz": rate,
            "firmware": "%d.%d.%d" % (major, minor, patch),
            "serial": payload[24:40].rstrip(b"\x00").decode("ascii")}


class ReplayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.TemporaryDirectory()
        cls.dir = cls.workdir.name
        # 20 frames, a gap of 5, 10 frames, then a device reset and 10 frames more.
        cls.sequences = list(range(100, 120)) + list(range(125, 135)) + list(range(10))
        cls.times = ([1000000 + 20000 * (s - 100) for s in cls.sequences[:30]]
                     + [300 + 20000 * n for n in range(10)])
        cls.session = os.path.join(cls.dir, "lab.h5")
        cls.frames = write_session(cls.session, cls.sequences, cls.times)

    @classmethod
    def tearDownClass(cls):
        cls.workdir.cleanup()

    def run_sim(self, *args, fault_log=True):
        run = SimRun(SIM, self.dir, args, fault_log=fault_log)
        self.addCleanup(run.kill)
        return run

    def replay(self, session, *args):
        """Replays a session to a host that asks for everything; returns the finished run."""
        run = self.run_sim("--replay", session, "--linger", "0.15", *args)
        run.host.start()
        run.host.read_until(lambda h: run.process.poll() is not None)
        self.assertEqual(run.stop(), 0)
        return run

    def test_device_and_frames_are_the_recording(self):
        run = self.replay(self.session, "--speed", "0")
        infos = [device_info_fields(p.payload) for p in run.host.infos()]
        expected = {"rows": 11, "cols": 5, "row_pitch_um": 25400, "col_pitch_um": 12500,
                    "adc_bits": 10, "streaming": False, "rate_mhz": 50000,
                    "firmware": "2.3.17", "serial": "LAB-TABLE-07"}
        # At power-up, and again where the recording's sequence went back (a reset).
        self.assertEqual(infos, [expected, expected])
        frames = [p.frame() for p in run.host.frames()]
        self.assertEqual([f[0] for f in frames], self.sequences)
        self.assertEqual([f[1] for f in frames], self.times)
        for n, f in enumerate(frames):
            self.assertEqual(f[2:4], (11, 5))
            self.assertEqual(f[4], self.frames[n].astype("<u2").tobytes(), "frame %d" % n)
        # The reset's DEVICE_INFO came between the last frame before it and the first after.
        kinds = [p.type for p in run.host.packets if p.type != ref.ACK]
        self.assertEqual(kinds.index(ref.DEVICE_INFO, 1), 31)
        self.assertEqual(run.fault_rows(), [])
        self.assertEqual(run.host.received, run.teed())

    def test_speed_paces_by_the_recorded_device_times(self):
        # 11 frames 0.4 s apart on the device clock: 4 s of recording.
        session = os.path.join(self.dir, "slow.h5")
        write_session(session, list(range(11)), [5000000 + 400000 * n for n in range(11)],
                      dict(DEVICE, rate_hz=2.5))
        run = self.replay(session, "--speed", "8")
        arrivals = [p.arrived for p in run.host.frames()]
        self.assertEqual(len(arrivals), 11)
        span = arrivals[-1] - arrivals[0]
        self.assertGreaterEqual(span, 4.0 / 8 * 0.95)  # never early
        self.assertLess(span, 4.0 / 2)  # and clearly not real time
        # Arrival is when this host read a frame: a host held up under load
        # reads two at once, so single spacings prove nothing; their median does.
        spacings = sorted(b - a for a, b in zip(arrivals, arrivals[1:]))
        self.assertGreaterEqual(spacings[len(spacings) // 2], 0.4 / 8 * 0.8)

    def test_speed_zero_is_as_fast_as_the_host_reads(self):
        # 100 s of recording; the read times out (and fails) long before that.
        session = os.path.join(self.dir, "long.h5")
        write_session(session, list(range(11)), [10000000 * n for n in range(11)],
                      dict(DEVICE, rate_hz=0.1))
        run = self.replay(session, "--speed", "0")
        self.assertEqual(run.host.sequences(), list(range(11)))

    def test_speed_zero_delays_frames_instead_of_losing_them(self):
        pause_s = 0.3
        run = self.replay(self.session, "--speed", "0", "--pause", "%g@0.1" % pause_s,
                          "--disconnect", "0.2@0.3")
        rows = run.fault_rows()
        self.assertEqual([r["kind"] for r in rows], ["pause", "disconnect", "reconnect"])
        self.assertEqual([p.frame()[0] for p in run.host.frames()], self.sequences)
        self.assertEqual(len(run.host.opened), 2)  # once at the start, once after the outage
        arrivals = [p.arrived for p in run.host.frames()]
        self.assertGreaterEqual(max(b - a for a, b in zip(arrivals, arrivals[1:])),
                                pause_s * 0.9)

    def test_faults_combine_with_replay(self):
        run = self.replay(self.session, "--speed", "0", "--seed", "3", "--drop", "0.3",
                          "--garbage", "0.3", "--burst", "3@0.1")
        rows = run.fault_rows()
        dropped = {int(r["sequence"]) for r in rows if r["kind"] == "drop"}
        self.assertGreater(len(dropped), 3)
        self.assertTrue(any(r["kind"] == "garbage" for r in rows))
        # The burst fired at 0.1 s on the recording's time axis: before frame 5 (sequence 105).
        self.assertIn(("burst", "105", "0.100000"),
                      [(r["kind"], r["sequence"], r["model_time_s"]) for r in rows])
        # Sequence numbers before and after the recording's reset do not overlap.
        kept = [n for n, s in enumerate(self.sequences) if s not in dropped]
        frames = [p.frame() for p in run.host.frames()]
        self.assertEqual([f[0] for f in frames], [self.sequences[n] for n in kept])
        self.assertEqual([f[1] for f in frames], [self.times[n] for n in kept])

    def test_bad_replay_files_are_named(self):
        text = os.path.join(self.dir, "notes.txt")
        with open(text, "w") as f:
            f.write("not a session\n")
        foreign = os.path.join(self.dir, "foreign.h5")
        with h5py.File(foreign, "w") as f:
            f["data"] = numpy.arange(10)
        cases = [(text, "not an HDF5 file"), (foreign, "not an mtable session file"),
                 (os.path.join(self.dir, "missing.h5"), "No such file")]
        for path, reason in cases:
            result = subprocess.run([SIM, "--replay", path], capture_output=True, text=True,
                                    timeout=10)
            self.assertEqual(result.returncode, 1, path)
            self.assertIn(path, result.stderr)
            self.assertIn(reason, result.stderr)
            self.assertEqual(result.stdout, "")  # refused before a port was made
        result = subprocess.run([SIM, "--replay", self.session, "--rows", "20"],
                                capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--rows", result.stderr)

    def capture(self, name, size):
        """A capture-like file: random bytes, zeros included; returns (path, bytes)."""
        data = bytes(random.Random(size).getrandbits(8) for _ in range(size))
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path, data

    def test_replay_raw_sends_the_bytes_exactly(self):
        path, data = self.capture("capture.bin", 200000)
        run = self.run_sim("--replay-raw", path, "--linger", "0.3", fault_log=False)
        run.host.start_when_idle = False
        run.host.start()  # ignored, as every command
        run.host.send(ref.packet(ref.GET_INFO, b""))
        run.host.read_until(lambda h: run.process.poll() is not None)
        self.assertEqual(run.stop(), 0)
        self.assertEqual(run.host.received, data)
        self.assertEqual(run.teed(), data)

    def record(self, sim_args, daemon_args, name, ended):
        """Records the simulator with the daemon until ended(run) says its stream is over and
        every intact frame it sent is in the file; keeps the session file as name."""
        with Run(BUILD_DIR) as run:
            run.start_sim(*sim_args)
            run.start_daemon("--subject", "REC", "--flush-interval", "0.2", *daemon_args)
            wait_for(lambda: os.path.exists(run.tee) and ended(run), 20, "the end of the stream")
            wait_for(lambda: run.session_files() and
                     run.frames_in_file(run.session_files()[0]) == len(run.sent()[1]), 20,
                     "the daemon to record every intact frame")
            self.assertEqual(run.stop(run.daemon), 0, run.log_text())
            run.stop(run.sim)
            self.assertEqual(len(run.session_files()), 1)
            path = os.path.join(self.dir, name)
            shutil.copy(run.session_files()[0], path)
        return path

    def record_faulty(self, name, *faults, daemon_args=()):
        """A recording of 150 frames of the simulator with faults; the fault log's rows."""
        fault_log = os.path.join(self.dir, name + ".csv")

        def ended(run):
            with open(fault_log) as f:
                lost = {r["sequence"] for r in csv.DictReader(f)
                        if r["kind"] in ("drop", "flip", "truncate", "garbage_inside")}
            return len(run.sent()[1]) + len(lost) == 150
        path = self.record(("--seed", "4", "--rate", "300", "--frames", "150", "--fault-log",
                            fault_log) + faults, daemon_args, name, ended)
        with open(fault_log) as f:
            return path, list(csv.DictReader(f))

    def test_replayed_session_records_again_bit_for_bit(self):
        original, faults = self.record_faulty("original.h5", "--drop", "0.05")
        self.assertGreater(len(faults), 2)  # gaps to reproduce
        for n, source in enumerate((original, self.session)):
            with h5py.File(source, "r") as f:
                count = f["frames"].shape[0]
            again = self.record(("--replay", source, "--speed", "0"), (), "again-%d.h5" % n,
                                lambda run: len(run.sent()[1]) == count)
            with h5py.File(source, "r") as a, h5py.File(again, "r") as b:
                for name in ("frames", "sequence", "device_time_us"):
                    self.assertEqual(a[name].dtype, b[name].dtype)
                    self.assertTrue(numpy.array_equal(a[name][:], b[name][:]),
                                    "%s of %s" % (name, source))
                for name in ("device_rows", "device_cols", "device_adc_bits", "device_serial",
                             "device_firmware_version", "device_frame_rate_hz",
                             "device_row_pitch_mm", "device_col_pitch_mm"):
                    self.assertEqual(a.attrs[name], b.attrs[name], name)

    def test_a_capture_replays_into_the_same_session(self):
        """mtable-acqd --capture of a damaged stream, played back with --replay-raw into
        another daemon: the same frames, sequence numbers, device times and link events."""
        capture = os.path.join(self.dir, "lab-capture.bin")
        lab, _ = self.record_faulty("captured.h5", "--garbage", "0.1", "--flip", "0.05", "--drop",
                                    "0.05", daemon_args=("--capture", capture))
        again = self.record(("--replay-raw", capture), (), "again.h5",
                            lambda run: os.path.getsize(run.tee) == os.path.getsize(capture))
        with h5py.File(lab, "r") as a, h5py.File(again, "r") as b:
            for name in ("frames", "sequence", "device_time_us"):
                self.assertTrue(numpy.array_equal(a[name][:], b[name][:]), name)
            fields = ("kind", "sequence", "count", "bytes")
            self.assertEqual([tuple(r[f] for f in fields) for r in a["link_events"][:]],
                             [tuple(r[f] for f in fields) for r in b["link_events"][:]])
            self.assertGreater(a["link_events"].shape[0], 5)

    def test_replay_raw_rate_paces_the_bytes(self):
        path, data = self.capture("paced.bin", 30000)
        run = self.run_sim("--replay-raw", path, "--raw-rate", "50000", "--linger", "0.3",
                           fault_log=False)
        run.host.start_when_idle = False
        run.host.read_until(lambda h: h.received)
        first = run.host.arrivals[0]
        run.host.read_until(lambda h: len(h.received) == len(data))
        self.assertGreaterEqual(run.host.arrivals[-1] - first, 0.6 * 0.9)
        self.assertLess(run.host.arrivals[-1] - first, 3.0)
        run.host.read_until(lambda h: run.process.poll() is not None)
        self.assertEqual(run.stop(), 0)
        self.assertEqual(run.host.received, data)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: test_sim_replay.py BUILD_DIR SOURCE_DIR [TEST...]")
    BUILD_DIR = sys.argv[1]
    SIM = os.path.join(BUILD_DIR, "tools", "mtable-sim")
    sys.path.insert(0, os.path.join(sys.argv[2], "tests", "e2e"))
    import protocol_reference as ref  # noqa: E402 (found through the source dir argument)
    from harness import Run, wait_for  # noqa: E402
    from sim_host import SimRun  # noqa: E402
    unittest.main(argv=sys.argv[:1] + sys.argv[3:], verbosity=2)
