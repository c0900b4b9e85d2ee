"""End-to-end: mtable-sim's fault injection, seen by a host on the real pseudo-terminal.

Each test runs the real simulator with one kind of fault and a fixed seed, acts as the
host (hw/PROTOCOL.md section 5: START, and START again after a DEVICE_INFO that says the
device is not streaming), decodes what arrives with the independent reference
implementation (protocol_reference.py) and checks it against the --fault-log: the frames
received are the frames scanned minus exactly those the log says were lost.

    /usr/bin/python3 tests/e2e/test_sim_faults.py BUILD/tools/mtable-sim SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile
import unittest

SIM = None  # path of the mtable-sim executable, from the command line
ref = None  # protocol_reference, imported from the source dir given on the command line
SimRun = None  # from sim_host, likewise

ROWS, COLS = 12, 6
LOST_KINDS = {"garbage_inside", "flip", "truncate", "drop"}


def lost_sequences(rows):
    return {int(r["sequence"]) for r in rows if r["kind"] in LOST_KINDS}


class FaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.workdir.cleanup()

    def run_sim(self, *args):
        run = SimRun(SIM, self.workdir.name, ("--rows", ROWS, "--cols", COLS) + args)
        self.addCleanup(run.kill)
        return run

    def stream(self, frames, *args):
        """Runs a stream of frames with the given faults; returns the run once it exited."""
        run = self.run_sim("--frames", frames, "--linger", "0.15", *args)
        run.host.start()
        run.host.read_until(lambda h: run.process.poll() is not None)
        self.assertEqual(run.stop(), 0)
        return run

    def test_fault_log_header(self):
        run = self.stream(5, "--rate", 500)
        with open(run.log) as f:
            self.assertEqual(f.readline(), "kind,sequence,model_time_s,detail\n")
        self.assertEqual(run.fault_rows(), [])
        self.assertEqual(run.host.sequences(), list(range(5)))

    def test_garbage_between_packets_costs_no_frame(self):
        run = self.stream(100, "--rate", 1000, "--seed", 11, "--garbage", 0.5)
        rows = run.fault_rows()
        self.assertEqual({r["kind"] for r in rows}, {"garbage"})
        self.assertGreater(len(rows), 30)
        self.assertEqual(run.host.sequences(), list(range(100)))
        # The garbage really went over the wire: everything received is the tee's copy,
        # longer than the packets alone by the bytes the log lists.
        self.assertEqual(run.host.received, run.teed())
        garbage_bytes = sum(int(r["detail"].split()[0]) for r in rows)
        packet_bytes = sum(len(ref.packet(p.type, p.payload)) for p in run.host.packets)
        self.assertEqual(len(run.host.received), packet_bytes + garbage_bytes)

    def test_frames_lost_are_exactly_those_logged(self):
        frames = 300
        run = self.stream(frames, "--rate", 1000, "--seed", 5, "--garbage", 0.2,
                          "--garbage-inside", 0.05, "--flip", 0.05, "--truncate", 0.05,
                          "--drop", 0.05)
        rows = run.fault_rows()
        kinds = {r["kind"] for r in rows}
        self.assertEqual(kinds, {"garbage", "garbage_inside", "flip", "truncate", "drop"})
        lost = lost_sequences(rows)
        expected = [s for s in range(frames) if s not in lost]
        self.assertEqual(run.host.sequences(), expected)
        # Each damaged frame reached the host as at least one rejected run.
        damaged = {int(r["sequence"]) for r in rows
                   if r["kind"] in ("garbage_inside", "flip", "truncate")}
        self.assertGreaterEqual(run.host.rejected, len(damaged))
        for r in rows:
            self.assertAlmostEqual(float(r["model_time_s"]), int(r["sequence"]) / 1000.0)
        self.assertEqual(run.host.received, run.teed())

    def test_same_seed_same_faults_and_faults_never_change_values(self):
        faults = ("--garbage", 0.3, "--flip", 0.1, "--drop", 0.1, "--truncate", 0.1,
                  "--garbage-inside", 0.1)
        first = self.stream(120, "--rate", 1000, "--seed", 9, *faults)
        second = self.stream(120, "--rate", 1000, "--seed", 9, *faults)
        other = self.stream(120, "--rate", 1000, "--seed", 10, *faults)
        clean = self.stream(120, "--rate", 1000, "--seed", 9)
        self.assertEqual(first.fault_rows(), second.fault_rows())
        self.assertNotEqual(first.fault_rows(), other.fault_rows())
        clean_values = {p.frame()[0]: p.frame()[4] for p in clean.host.frames()}
        self.assertEqual(len(clean_values), 120)
        received = first.host.frames()
        self.assertGreater(len(received), 60)
        for packet in received:
            sequence, _, _, _, values = packet.frame()
            self.assertEqual(values, clean_values[sequence], "frame %d" % sequence)

    def test_burst_comes_faster_than_the_rate_then_the_schedule_resumes(self):
        rate, period_us = 20, 50000
        run = self.stream(14, "--rate", rate, "--burst", "6@0.25")
        rows = run.fault_rows()
        self.assertEqual([(r["kind"], r["sequence"]) for r in rows], [("burst", "5")])
        frames = [p.frame() for p in run.host.frames()]
        self.assertEqual([f[0] for f in frames], list(range(14)))
        times = [f[1] for f in frames]
        for n in range(6, 11):  # frames 5..10 were scanned back to back
            self.assertLess(times[n] - times[n - 1], period_us / 2, "frame %d" % n)
        # Then the schedule resumes where it was: frame 11 at its own deadline.
        self.assertLessEqual(abs(times[11] - times[0] - 11 * period_us), 1)
        self.assertLessEqual(abs(times[13] - times[0] - 13 * period_us), 1)

    def test_pause_delays_without_loss(self):
        rate, period_us, pause_s = 100, 10000, 0.3
        run = self.stream(50, "--rate", rate, "--pause", "%g@0.1" % pause_s)
        rows = run.fault_rows()
        self.assertEqual([(r["kind"], r["sequence"]) for r in rows], [("pause", "10")])
        frames = run.host.frames()
        self.assertEqual(run.host.sequences(), list(range(50)))
        times = [p.frame()[1] for p in frames]
        for a, b in zip(times, times[1:]):  # scanning went on as usual
            self.assertLessEqual(abs(b - a - period_us), 1)
        arrivals = [p.arrived for p in frames]
        # Nothing arrived for the pause; what was scanned meanwhile came at once after it.
        self.assertGreaterEqual(arrivals[10] - arrivals[9], pause_s * 0.9)
        held = [n for n in range(10, 50) if times[n] - times[10] < pause_s * 1e6]
        self.assertGreater(len(held), 20)
        self.assertLess(arrivals[held[-1]] - arrivals[10], 0.5 * pause_s)  # not paced: at once

    def test_pause_holds_at_most_the_queue_bound(self):
        # 64 x 32 frames are 4,139 bytes on the wire: 63 fit the 262,144-byte queue.
        run = self.run_sim("--frames", 150, "--linger", "0.15", "--rows", 64, "--cols", 32,
                           "--rate", 200, "--pause", "0.6@0.1")
        run.host.start()
        run.host.read_until(lambda h: run.process.poll() is not None)
        self.assertEqual(run.stop(), 0)
        rows = run.fault_rows()
        drops = [r for r in rows if r["kind"] == "drop"]
        self.assertGreater(len(drops), 20)
        self.assertTrue(all("queue is full" in r["detail"] for r in drops))
        dropped = [int(r["sequence"]) for r in drops]
        # The pause began before frame 20; frames from there went into the queue until the
        # next one no longer fitted, and every frame after that until the pause ended.
        sizes = {p.frame()[0]: len(ref.packet(p.type, p.payload)) for p in run.host.frames()}
        held = sum(sizes[s] for s in range(20, dropped[0]))
        self.assertLessEqual(held, 262144)
        self.assertGreater(held + min(sizes.values()), 262144)
        self.assertEqual(dropped, list(range(dropped[0], dropped[0] + len(dropped))))
        self.assertEqual(run.host.sequences(), [s for s in range(150) if s not in dropped])

    def test_disconnect_hangs_up_and_a_new_port_takes_the_link(self):
        rate, outage_s = 100, 0.3
        run = self.run_sim("--frames", 60, "--linger", "0.15", "--rate", rate, "--disconnect",
                           "%g@0.15" % outage_s)
        host = run.host
        host.start()
        host.read_until(lambda h: h.hangups)
        self.assertEqual(host.sequences(), list(range(15)))
        self.assertFalse(os.path.lexists(run.link))  # the device node went with the cable
        host.read_until(lambda h: run.process.poll() is not None)
        self.assertEqual(run.stop(), 0)
        self.assertGreaterEqual(host.opened[-1] - host.hangups[0], outage_s * 0.9)
        rows = run.fault_rows()
        self.assertEqual([r["kind"] for r in rows if r["kind"] not in LOST_KINDS],
                         ["disconnect", "reconnect"])
        self.assertEqual(rows[0]["sequence"], "15")
        drops = [r for r in rows if r["kind"] == "drop"]
        self.assertTrue(all("disconnected" in r["detail"] or "no host" in r["detail"]
                            for r in drops))
        self.assertGreater(len(drops), 25)
        # The device kept streaming and numbering: no START, no DEVICE_INFO needed.
        lost = lost_sequences(rows)
        self.assertEqual(host.sequences(), [s for s in range(60) if s not in lost])
        self.assertEqual(len(host.infos()), 1)

    def test_reset_restarts_the_sequence_with_a_device_info(self):
        run = self.stream(40, "--rate", 100, "--reset-at", 0.2)
        rows = run.fault_rows()
        self.assertEqual([(r["kind"], r["sequence"]) for r in rows], [("reset", "20")])
        kinds = [p.type for p in run.host.packets if p.type != ref.ACK]
        self.assertEqual(kinds, [ref.DEVICE_INFO] + [ref.FRAME] * 20 + [ref.DEVICE_INFO]
                         + [ref.FRAME] * 20)
        self.assertEqual(run.host.sequences(), list(range(20)) + list(range(20)))
        self.assertFalse(run.host.infos()[1].info()[2])
        times = [p.frame()[1] for p in run.host.frames()]
        self.assertLess(times[20], times[19])  # the device clock restarted too

    def test_grid_change_gives_the_new_grid(self):
        run = self.stream(30, "--rate", 100, "--grid-change", "20x4@0.1")
        rows = run.fault_rows()
        self.assertEqual([(r["kind"], r["sequence"], r["detail"]) for r in rows],
                         [("grid_change", "10", "20x4")])
        infos = [p.info() for p in run.host.infos()]
        self.assertEqual(infos, [(ROWS, COLS, False), (20, 4, False)])
        frames = [p.frame() for p in run.host.frames()]
        self.assertEqual([f[0] for f in frames], list(range(10)) + list(range(20)))
        self.assertTrue(all(f[2:4] == (ROWS, COLS) for f in frames[:10]))
        self.assertTrue(all(f[2:4] == (20, 4) and len(f[4]) == 2 * 20 * 4 for f in frames[10:]))

    def test_bad_fault_options_are_refused_by_name(self):
        cases = [("--flip", "1.5"), ("--burst", "10"), ("--pause", "x@1"),
                 ("--grid-change", "300x300@1"), ("--disconnect", "1@2")]
        for option, value in cases:
            result = subprocess.run([SIM, option, value], capture_output=True, text=True)
            self.assertEqual(result.returncode, 2, option)
            self.assertIn(option, result.stderr)
            self.assertEqual(result.stdout, "")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: test_sim_faults.py MTABLE_SIM SOURCE_DIR [TEST...]")
    SIM = sys.argv[1]
    sys.path.insert(0, os.path.join(sys.argv[2], "tests", "e2e"))
    import protocol_reference as ref  # noqa: E402 (found through the source dir argument)
    from sim_host import SimRun  # noqa: E402
    unittest.main(argv=sys.argv[:1] + sys.argv[3:], verbosity=2)
