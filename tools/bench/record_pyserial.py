#!/usr/bin/python3
"""A plain pyserial + h5py recorder for the table: the peer mtable-acqd is benchmarked against.

Written the way a lab that does not use mtable would write it from
hw/PROTOCOL.md alone, importing nothing from the project: open the port with
pyserial, send START, read whatever has arrived, split it at the 0x00
delimiters, undo the COBS stuffing, check the CRC-32C, turn each frame's
values into a numpy array, and append the frames to h5py datasets (gzip and
shuffle, h5py's defaults), resizing them and writing every few frames, and
flushing the file every second.

    /usr/bin/python3 tools/bench/record_pyserial.py PORT OUTPUT.h5 [--frames N]

Stops after N frames, or on SIGINT or SIGTERM, and prints one line:

    N frames recorded, B bad packets, M frames missing
"""
import argparse
import signal
import struct
import sys
import time

import h5py
import numpy as np
import serial

START = bytes.fromhex("00 03 01 10 01 05 F5 9C 80 E5 00")  # PROTOCOL.md section 7
FRAME = 0x02
BATCH = 10          # frames written to the file at a time
FLUSH_EVERY_S = 1.0


def make_crc_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


CRC_TABLE = make_crc_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def cobs_decode(data):
    out = bytearray()
    i = 0
    while i < len(data):
        code = data[i]
        if code == 0 or i + code > len(data):
            raise ValueError("bad COBS")
        out += data[i + 1:i + code]
        i += code
        if code < 0xFF and i < len(data):
            out.append(0)
    return bytes(out)


def parse_packet(run):
    """(type, payload) of one packet between delimiters; ValueError if damaged."""
    raw = cobs_decode(run)
    if len(raw) < 8:
        raise ValueError("too short")
    if crc32c(raw[:-4]) != struct.unpack("<I", raw[-4:])[0]:
        raise ValueError("CRC mismatch")
    version, ptype, length = struct.unpack("<BBH", raw[:4])
    if version != 1 or length != len(raw) - 8:
        raise ValueError("bad header")
    return ptype, raw[4:-4]


class Recorder:
    def __init__(self, path):
        self.file = h5py.File(path, "w")
        self.frames = None
        self.batch = []
        self.recorded = 0
        self.bad = 0
        self.missing = 0
        self.last_sequence = None

    def add_frame(self, payload):
        sequence, device_time_us, rows, cols = struct.unpack("<IQHH", payload[:16])
        values = np.frombuffer(payload, dtype="<u2", count=rows * cols, offset=16)
        if self.frames is None:
            self.frames = self.file.create_dataset(
                "frames", shape=(0, rows, cols), maxshape=(None, rows, cols), dtype="<u2",
                chunks=(32, rows, cols), compression="gzip", shuffle=True)
            for name, dtype in [("sequence", "<u4"), ("device_time_us", "<u8"),
                                ("host_time_ns", "<i8")]:
                self.file.create_dataset(name, shape=(0,), maxshape=(None,), dtype=dtype,
                                         chunks=(1024,))
        if self.last_sequence is not None and sequence != self.last_sequence + 1:
            self.missing += (sequence - self.last_sequence - 1) % 2**32
        self.last_sequence = sequence
        self.batch.append((values.reshape(rows, cols), sequence, device_time_us, time.time_ns()))
        if len(self.batch) >= BATCH:
            self.write_batch()

    def write_batch(self):
        if not self.batch:
            return
        n = self.frames.shape[0]
        count = len(self.batch)
        self.frames.resize(n + count, axis=0)
        self.frames[n:] = np.stack([b[0] for b in self.batch])
        for column, name in enumerate(["sequence", "device_time_us", "host_time_ns"], start=1):
            dataset = self.file[name]
            dataset.resize(n + count, axis=0)
            dataset[n:] = [b[column] for b in self.batch]
        self.recorded += count
        self.batch = []

    def close(self):
        if self.frames is not None:
            self.write_batch()
        self.file.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port")
    parser.add_argument("output")
    parser.add_argument("--frames", type=int, default=0, help="stop after N frames")
    args = parser.parse_args()

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))

    port = serial.Serial(args.port, 6000000, timeout=0.2)
    recorder = Recorder(args.output)
    port.write(START)
    pending = b""
    last_flush = time.monotonic()
    try:
        while not stopping and not (args.frames and recorder.recorded + len(recorder.batch)
                                    >= args.frames):
            pending += port.read(max(1, port.in_waiting))
            runs = pending.split(b"\x00")
            pending = runs.pop()
            for run in runs:
                if not run:
                    continue
                try:
                    ptype, payload = parse_packet(run)
                except ValueError:
                    recorder.bad += 1
                    continue
                if ptype == FRAME:
                    recorder.add_frame(payload)
            if time.monotonic() - last_flush >= FLUSH_EVERY_S:
                recorder.write_batch()
                recorder.file.flush()
                last_flush = time.monotonic()
    finally:
        recorder.close()
        port.close()
    print("%d frames recorded, %d bad packets, %d frames missing"
          % (recorder.recorded, recorder.bad, recorder.missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
