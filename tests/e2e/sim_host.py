"""The host's side of mtable-sim's port for end-to-end tests, as hw/PROTOCOL.md section 5
describes a host: opens the port through the simulator's --link, sends START (and START
again after a DEVICE_INFO saying the device is not streaming), decodes every packet with
the independent reference implementation (protocol_reference.py) as it arrives, notes
the time of arrival, and after a hang-up opens the link again once it leads to a port.
"""
import csv
import errno
import os
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protocol_reference as ref  # noqa: E402

# Longest wait for anything a test expects from the simulator.
TIMEOUT_S = 10.0


class Packet:
    def __init__(self, arrived, ptype, payload):
        self.arrived, self.type, self.payload = arrived, ptype, payload

    def frame(self):
        """(sequence, device_time_us, rows, cols, values bytes) of a FRAME."""
        sequence, device_time_us, rows, cols = struct.unpack("<IQHH", self.payload[:16])
        return sequence, device_time_us, rows, cols, self.payload[16:]

    def info(self):
        rows, cols, _, _, _, flags = struct.unpack("<HHIIBB", self.payload[:14])
        return rows, cols, bool(flags & 1)


class Host:
    """The host's side of the port, found through the simulator's --link."""

    def __init__(self, link):
        self.link = link
        self.port = None
        self.pending = b""  # bytes after the last delimiter
        self.received = b""  # every byte read, for comparison with --tee
        self.arrivals = []  # monotonic time of each piece read
        self.packets = []
        self.rejected = 0  # non-empty runs that are not intact packets
        self.hangups = []  # monotonic times the port hung up
        self.opened = []  # monotonic times a port was opened
        self.start_when_idle = True  # answer a DEVICE_INFO that says "not streaming" with START
        self.open()

    def open(self):
        self.port = os.open(self.link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        # TCSANOW: a flushing change would discard what the device sent before the open.
        tty.setraw(self.port, termios.TCSANOW)
        self.opened.append(time.monotonic())

    def close(self):
        if self.port is not None:
            os.close(self.port)
            self.port = None

    def send(self, data):
        os.write(self.port, data)

    def start(self):
        self.send(b"\x00" + ref.packet(ref.START, b""))

    def _take(self, data):
        now = time.monotonic()
        self.received += data
        self.arrivals.append(now)
        runs = (self.pending + data).split(b"\x00")
        self.pending = runs.pop()
        for run in runs:
            if not run:
                continue
            try:
                ptype, payload = ref.parse(run)
            except ValueError:
                self.rejected += 1
                continue
            packet = Packet(now, ptype, payload)
            self.packets.append(packet)
            if ptype == ref.DEVICE_INFO and not packet.info()[2] and self.start_when_idle:
                self.start()

    def _read(self, wait_s):
        """Reads what arrives within wait_s; notices a hang-up (and closes the port)."""
        ready, _, _ = select.select([self.port], [], [], wait_s)
        if not ready:
            return
        try:
            data = os.read(self.port, 65536)
        except OSError as error:
            if error.errno != errno.EIO:
                raise
            data = b""
        if data:
            self._take(data)
        else:
            self.hangups.append(time.monotonic())
            self.close()

    def read_until(self, predicate, timeout=TIMEOUT_S):
        end = time.monotonic() + timeout
        while not predicate(self):
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out; %d packets so far" % len(self.packets))
            if self.port is None:
                self._reopen(left)
            else:
                self._read(min(left, 0.05))

    def _reopen(self, left):
        """After a hang-up: waits for the link to lead to a port again and opens it."""
        try:
            self.open()
        except OSError:
            time.sleep(min(left, 0.01))

    def frames(self):
        return [p for p in self.packets if p.type == ref.FRAME]

    def sequences(self):
        return [p.frame()[0] for p in self.frames()]

    def infos(self):
        return [p for p in self.packets if p.type == ref.DEVICE_INFO]


class SimRun:
    """One mtable-sim (args after --link, --tee and, with fault_log, --fault-log) in a
    scratch directory under workdir, and a Host on its port."""

    def __init__(self, sim, workdir, args, fault_log=True):
        self.dir = tempfile.mkdtemp(dir=workdir)
        self.link = os.path.join(self.dir, "port")
        self.tee = os.path.join(self.dir, "sent.bin")
        self.log = os.path.join(self.dir, "faults.csv")
        command = [sim, "--link", self.link, "--tee", self.tee, "-q"]
        if fault_log:
            command += ["--fault-log", self.log]
        self.process = subprocess.Popen(command + [str(a) for a in args], stdout=subprocess.PIPE)
        self.slave = self.process.stdout.readline().decode().strip()
        assert self.slave.startswith("/dev/pts/"), "mtable-sim printed %r" % self.slave
        self.host = Host(self.link)

    def stop(self):
        """Waits for the simulator to exit (every run has --linger) and stops the host."""
        status = self.process.wait(timeout=TIMEOUT_S)
        self.process.stdout.close()
        self.host.close()
        return status

    def kill(self):
        """Cleans up whatever a failed test left: the simulator, its pipe, the port."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.host.close()

    def fault_rows(self):
        with open(self.log, newline="") as f:
            return list(csv.DictReader(f))

    def teed(self):
        with open(self.tee, "rb") as f:
            return f.read()
