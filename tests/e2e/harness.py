"""Helpers for end-to-end tests: run the real executables, as gpsfake does for gpsd.

The simulated table and the daemon are started as separate processes talking
over a real pseudo-terminal. What the simulator sent is read back from its
--tee file and decoded with protocol_reference.py (an implementation of
hw/PROTOCOL.md independent of the C codec), so a test can compare the
session file with exactly what went over the wire.
"""
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protocol_reference as proto  # noqa: E402

import h5py  # noqa: E402
import numpy  # noqa: E402


class Frame:
    def __init__(self, sequence, device_time_us, rows, cols, values):
        self.sequence = sequence
        self.device_time_us = device_time_us
        self.values = numpy.array(values, dtype=numpy.uint16).reshape(rows, cols)


def decode_stream(data):
    """Returns (device_infos, frames) for every intact packet in a byte stream.

    The last run may be incomplete (the writer was still writing); it is ignored.
    """
    return decode_runs(data.split(b"\x00")[:-1])


def decode_runs(runs):
    """(device_infos, frames) for the runs of bytes found between delimiters."""
    infos, frames = [], []
    for run in runs:
        if not run:
            continue
        try:
            ptype, payload = proto.parse(run)
        except ValueError:
            continue
        if ptype == proto.FRAME:
            sequence, device_time_us, rows, cols = struct.unpack("<IQHH", payload[:16])
            values = struct.unpack("<%dH" % (rows * cols), payload[16:])
            frames.append(Frame(sequence, device_time_us, rows, cols, values))
        elif ptype == proto.DEVICE_INFO:
            rows, cols, row_um, col_um, bits, flags, _, rate_mhz, major, minor, patch = \
                struct.unpack("<HHIIBBHIBBH", payload[:24])
            infos.append(dict(rows=rows, cols=cols, row_pitch_um=row_um, col_pitch_um=col_um,
                              adc_bits=bits, streaming=bool(flags & 1), rate_mhz=rate_mhz,
                              firmware=(major, minor, patch),
                              serial=payload[24:40].rstrip(b"\x00").decode("ascii")))
    return infos, frames


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))


class Run:
    """A scratch directory with a simulator and a daemon in it; stops both on exit."""

    def __init__(self, build_dir):
        self.build_dir = os.path.abspath(build_dir)
        self.dir = tempfile.mkdtemp(prefix="mtable-e2e-")
        self.link = os.path.join(self.dir, "table")
        self.tee = os.path.join(self.dir, "sent.bin")
        self.out = os.path.join(self.dir, "sessions")
        os.mkdir(self.out)
        self.sim = None
        self.daemon = None
        self.daemon_log = os.path.join(self.dir, "daemon.log")
        self._tee_offset = 0
        self._tee_partial = b""
        self._tee_infos = []
        self._tee_frames = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for proc in (self.daemon, self.sim):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        if self.sim is not None:
            self.sim.stdout.close()
        subprocess.run(["rm", "-rf", self.dir])

    def exe(self, name):
        for sub in ("tools", "acquisition", "analysis"):
            path = os.path.join(self.build_dir, sub, name)
            if os.path.exists(path):
                return path
        raise AssertionError("%s not built under %s" % (name, self.build_dir))

    def start_sim(self, *args):
        self.sim = subprocess.Popen(
            [self.exe("mtable-sim"), "--link", self.link, "--tee", self.tee] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        slave = self.sim.stdout.readline().strip()
        assert slave.startswith("/dev/pts/"), "mtable-sim printed %r" % slave
        wait_for(lambda: os.path.islink(self.link), 5, "the simulator's --link")
        return slave

    def start_device(self, executable, *args):
        """Starts another table program that behaves like mtable-sim at its edges (--link,
        --tee, the port's path on the first line of stdout), e.g. mtable-firmware-host; it
        takes the simulator's place (run.sim) and logs to run.device_log."""
        self.device_log = os.path.join(self.dir, "device.log")
        with open(self.device_log, "ab") as log:
            self.sim = subprocess.Popen(
                [executable, "--link", self.link, "--tee", self.tee] + list(args),
                stdout=subprocess.PIPE, stderr=log, text=True)
        slave = self.sim.stdout.readline().strip()
        assert slave.startswith("/dev/pts/"), "%s printed %r" % (executable, slave)
        wait_for(lambda: os.path.islink(self.link), 5, "the device's --link")
        return slave

    def start_daemon(self, *args):
        # MTABLE_DAEMON_WRAPPER runs the daemon under a checker, e.g. valgrind.
        wrapper = os.environ.get("MTABLE_DAEMON_WRAPPER", "").split()
        with open(self.daemon_log, "ab") as log:
            self.daemon = subprocess.Popen(
                wrapper + [self.exe("mtable-acqd"), "--port", self.link, "--output-dir", self.out,
                           "--foreground", "--status-interval", "1"] + list(args),
                stdout=log, stderr=log)
        return self.daemon

    def stop(self, proc, sig=signal.SIGTERM, timeout=20):
        proc.send_signal(sig)
        return proc.wait(timeout=timeout)

    def sent(self):
        """(device_infos, frames) the simulator has sent so far, decoded incrementally."""
        with open(self.tee, "rb") as f:
            f.seek(self._tee_offset)
            data = self._tee_partial + f.read()
        self._tee_offset += len(data) - len(self._tee_partial)
        runs = data.split(b"\x00")
        self._tee_partial = runs.pop()
        infos, frames = decode_runs(runs)
        self._tee_infos += infos
        self._tee_frames += frames
        return list(self._tee_infos), list(self._tee_frames)

    def session_files(self):
        return sorted(os.path.join(self.out, n) for n in os.listdir(self.out) if n.endswith(".h5"))

    def log_text(self):
        with open(self.daemon_log, errors="replace") as f:
            return f.read()

    def frames_in_file(self, path):
        """Frames visible to a SWMR reader (works while recording and after a crash)."""
        try:
            with h5py.File(path, "r", libver="latest", swmr=True) as f:
                return f["frames"].shape[0]
        except (OSError, KeyError):
            return 0
