"""End-to-end: the real mtable-sim on a pseudo-terminal, driven as a host would.

Opens the pty slave in raw mode, sends commands encoded by the independent
reference implementation (protocol_reference.py) and decodes everything the
simulator sends with it too, so the C codec and device logic are checked
against hw/PROTOCOL.md as written.

    /usr/bin/python3 tests/e2e/test_sim_stream.py BUILD/tools/mtable-sim SOURCE_DIR
"""
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tty
import unittest

SIM = None  # path of the mtable-sim executable, from the command line

ROWS, COLS, RATE_MHZ, FRAMES, SEED, SERIAL = 24, 12, 50000, 20, 7, "E2E-SIM-7"
PERIOD_US = 1000000000 // RATE_MHZ
MAX_RATE_MHZ = 1000000000  # the simulator's fastest rate, 1,000,000 frames/s
TIMEOUT_S = 5.0


class Simulator:
    """One mtable-sim process and the host side of its port."""

    def __init__(self, workdir, name):
        self.tee = os.path.join(workdir, name + ".tee")
        self.link = os.path.join(workdir, name + ".port")
        self.truth = os.path.join(workdir, name + ".csv")
        self.process = subprocess.Popen(
            [SIM, "--rows", str(ROWS), "--cols", str(COLS), "--rate", str(RATE_MHZ / 1000),
             "--seed", str(SEED), "--frames", str(FRAMES), "--serial", SERIAL,
             "--tee", self.tee, "--link", self.link, "--ground-truth", self.truth, "-q"],
            stdout=subprocess.PIPE)
        self.port = None
        self.received = b""
        self.slave = self.process.stdout.readline().decode().strip()
        self.port = os.open(self.slave, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        # TCSANOW: a flushing change (tty.setraw's default) would discard the DEVICE_INFO
        # the device sent at power-up, before the port was opened.
        tty.setraw(self.port, termios.TCSANOW)

    def send(self, data):
        os.write(self.port, data)

    def read_for(self, seconds):
        """Collects whatever arrives within the given time."""
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.port], [], [], left)
            if ready:
                self.received += os.read(self.port, 65536)

    def read_until(self, predicate):
        """Reads until predicate(packets so far) holds, or fails after TIMEOUT_S."""
        end = time.monotonic() + TIMEOUT_S
        while not predicate(self.packets()):
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out; got %d packets" % len(self.packets()))
            ready, _, _ = select.select([self.port], [], [], left)
            if ready:
                self.received += os.read(self.port, 65536)

    def packets(self):
        """(type, payload) of every complete packet received, decoded by the reference."""
        runs = self.received.split(b"\x00")[:-1]  # the last run may be incomplete
        return [ref.parse(run) for run in runs if run]

    def terminate(self):
        """SIGTERM; returns the exit status. Reads what was still on its way first."""
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=TIMEOUT_S)
        self.read_for(0.05)
        return status

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        if self.port is not None:
            os.close(self.port)


def frames_of(packets):
    return [p for p in packets if p[0] == ref.FRAME]


def acks_of(packets):
    return [struct.unpack("<BB", p[1]) for p in packets if p[0] == ref.ACK]


def run_session(workdir, name):
    """A session: START, all frames, two out-of-range SET_RATEs, GET_INFO, SIGTERM."""
    sim = Simulator(workdir, name)
    try:
        link_target = os.readlink(sim.link)
        sim.send(b"\x00" + ref.packet(ref.START, b""))
        sim.read_until(lambda ps: len(frames_of(ps)) >= FRAMES)
        sim.read_for(3 * PERIOD_US / 1e6)  # nothing more may come
        sim.send(ref.packet(ref.SET_RATE, struct.pack("<I", 0)))
        sim.send(ref.packet(ref.SET_RATE, struct.pack("<I", MAX_RATE_MHZ + 1)))
        sim.send(ref.packet(ref.GET_INFO, b""))
        sim.read_until(lambda ps: len(ps) >= FRAMES + 5)
        status = sim.terminate()
        with open(sim.tee, "rb") as tee:
            teed = tee.read()
        with open(sim.truth) as truth:
            truth_lines = truth.read().splitlines()
        return {"slave": sim.slave, "link_target": link_target,
                "link_after": os.path.lexists(sim.link), "status": status,
                "received": sim.received, "packets": sim.packets(), "teed": teed,
                "truth": truth_lines}
    finally:
        sim.close()


def device_info_fields(payload):
    rows, cols, row_um, col_um, bits, flags, _, rate, major, minor, patch = struct.unpack(
        "<HHIIBBHIBBH", payload[:24])
    serial = payload[24:40].rstrip(b"\x00").decode("ascii")
    return {"rows": rows, "cols": cols, "row_pitch_um": row_um, "col_pitch_um": col_um,
            "adc_bits": bits, "flags": flags, "rate_mhz": rate, "serial": serial}


class SimStreamTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.TemporaryDirectory()
        cls.first = run_session(cls.workdir.name, "first")
        cls.second = run_session(cls.workdir.name, "second")

    @classmethod
    def tearDownClass(cls):
        cls.workdir.cleanup()

    def test_device_info_first(self):
        ptype, payload = self.first["packets"][0]
        self.assertEqual(ptype, ref.DEVICE_INFO)
        self.assertEqual(device_info_fields(payload), {
            "rows": ROWS, "cols": COLS, "row_pitch_um": 30000, "col_pitch_um": 21875,
            "adc_bits": 12, "flags": 0, "rate_mhz": RATE_MHZ, "serial": SERIAL})

    def test_start_acknowledged_then_frames(self):
        packets = self.first["packets"]
        self.assertEqual(packets[1], (ref.ACK, bytes([ref.START, 0])))
        self.assertTrue(all(p[0] == ref.FRAME for p in packets[2:2 + FRAMES]))

    def test_exactly_the_frames_asked_for(self):
        frames = frames_of(self.first["packets"])
        self.assertEqual(len(frames), FRAMES)
        times = []
        for n, (_, payload) in enumerate(frames):
            sequence, device_time_us, rows, cols = struct.unpack("<IQHH", payload[:16])
            self.assertEqual(sequence, n)
            self.assertEqual((rows, cols), (ROWS, COLS))
            self.assertEqual(len(payload), 16 + 2 * ROWS * COLS)
            values = struct.unpack("<%dH" % (ROWS * COLS), payload[16:])
            self.assertTrue(all(v <= 4095 for v in values))
            times.append(device_time_us)
        self.assertTrue(0 < times[0] < TIMEOUT_S * 1e6)  # microseconds since the sim started
        for earlier, later in zip(times, times[1:]):
            self.assertLessEqual(abs(later - earlier - PERIOD_US), 1)  # scheduled scan times

    def test_set_rate_out_of_range_refused(self):
        acks = acks_of(self.first["packets"])
        self.assertEqual(acks, [(ref.START, 0), (ref.SET_RATE, 2), (ref.SET_RATE, 2)])
        ptype, payload = self.first["packets"][-1]
        self.assertEqual(ptype, ref.DEVICE_INFO)
        fields = device_info_fields(payload)
        self.assertEqual(fields["rate_mhz"], RATE_MHZ)  # unchanged
        self.assertEqual(fields["flags"], 0)  # streaming ended after --frames

    def test_received_bytes_equal_tee(self):
        self.assertGreater(len(self.first["received"]), FRAMES * 2 * ROWS * COLS)
        self.assertEqual(self.first["received"], self.first["teed"])

    def test_same_seed_same_values(self):
        def values(session):
            return [payload[16:] for _, payload in frames_of(session["packets"])]
        self.assertEqual(values(self.first), values(self.second))

    def test_link_while_running_gone_after_sigterm(self):
        self.assertEqual(self.first["link_target"], self.first["slave"])
        self.assertFalse(self.first["link_after"])
        self.assertEqual(self.first["status"], 0)

    def test_ground_truth_written(self):
        truth = self.first["truth"]
        header = [line for line in truth if not line.startswith("#")]
        self.assertEqual(header[0],
                         "region,technique,first_sequence,last_sequence,start_s,end_s,peak_counts")
        self.assertTrue(any("seed %d" % SEED in line for line in truth if line.startswith("#")))
        self.assertEqual(len(header), 1)  # 0.4 s of frames: before the first step at 2 s


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: test_sim_stream.py MTABLE_SIM SOURCE_DIR")
    SIM = sys.argv[1]
    sys.path.insert(0, os.path.join(sys.argv[2], "tests", "e2e"))
    import protocol_reference as ref  # noqa: E402 (found through the source dir argument)
    unittest.main(argv=sys.argv[:1], verbosity=2)
