"""Reference implementation of hw/PROTOCOL.md, written from the document alone.

Deliberately simple (table CRC built from the polynomial, block-at-a-time
COBS) and independent of the C codec, so tests can check one against the other: encode with one, decode
with the other. Also prints the document's worked examples:

    /usr/bin/python3 tests/e2e/protocol_reference.py
"""
import struct

VERSION = 1
DEVICE_INFO, FRAME, ACK, START, STOP, SET_RATE, GET_INFO = 0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x13


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


_CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C as hw/PROTOCOL.md defines it, one byte per step from a table
    derived from the polynomial (a bit per step is too slow for long streams)."""
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc ^ 0xFFFFFFFF


def cobs_encode(data: bytes) -> bytes:
    out, block = bytearray(), bytearray()
    for i, byte in enumerate(data):
        if byte == 0:
            out += bytes([len(block) + 1]) + block
            block = bytearray()
            continue
        block.append(byte)
        if len(block) == 254:
            out += b"\xff" + block
            block = bytearray()
            if i == len(data) - 1:
                return bytes(out)  # a full block at the very end takes no empty block after it
    return bytes(out + bytes([len(block) + 1]) + block)


def cobs_decode(data: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(data):
        code = data[i]
        if code == 0 or i + code > len(data):
            raise ValueError("bad COBS code byte")
        block = data[i + 1:i + code]
        if 0 in block:
            raise ValueError("zero inside COBS block")
        out += block
        i += code
        if code != 0xFF and i < len(data):
            out.append(0)
    return bytes(out)


def packet(ptype: int, payload: bytes) -> bytes:
    """The wire bytes of one packet: 0x00, COBS(header + payload + CRC), 0x00."""
    body = struct.pack("<BBH", VERSION, ptype, len(payload)) + payload
    return b"\x00" + cobs_encode(body + struct.pack("<I", crc32c(body))) + b"\x00"


def frame(sequence: int, device_time_us: int, rows: int, cols: int, values) -> bytes:
    payload = struct.pack("<IQHH", sequence, device_time_us, rows, cols)
    payload += struct.pack("<%dH" % (rows * cols), *values)
    return packet(FRAME, payload)


def device_info(rows, cols, row_pitch_um, col_pitch_um, adc_bits, streaming, rate_mhz,
                firmware, serial: str) -> bytes:
    payload = struct.pack("<HHIIBBHIBBH", rows, cols, row_pitch_um, col_pitch_um, adc_bits,
                          1 if streaming else 0, 0, rate_mhz, *firmware)
    payload += serial.encode("ascii").ljust(16, b"\x00")
    return packet(DEVICE_INFO, payload)


def parse(stuffed: bytes):
    """Unstuffs and checks the bytes between two delimiters; returns (type, payload)."""
    raw = cobs_decode(stuffed)
    if len(raw) < 8:
        raise ValueError("short")
    body, (crc,) = raw[:-4], struct.unpack("<I", raw[-4:])
    if crc32c(body) != crc:
        raise ValueError("crc")
    version, ptype, length = struct.unpack("<BBH", body[:4])
    if version != VERSION or length != len(body) - 4:
        raise ValueError("version or length")
    return ptype, body[4:]


def split_stream(data: bytes):
    """Yields the non-empty runs between delimiters (the last one may be partial)."""
    for run in data.split(b"\x00"):
        if run:
            yield run


def hexdump(data: bytes) -> str:
    return "\n".join(" ".join("%02X" % b for b in data[i:i + 16]) for i in range(0, len(data), 16))


if __name__ == "__main__":
    print("FRAME seq 7, t=1000 us, 2 x 2 grid, values 0, 1, 256, 4095:")
    print(hexdump(frame(7, 1000, 2, 2, [0, 1, 256, 4095])))
    print("\nDEVICE_INFO 64 x 32, 30.000 x 21.875 mm, 12 bits, idle, 100 Hz, fw 1.0.0, MT-SIM-0001:")
    print(hexdump(device_info(64, 32, 30000, 21875, 12, False, 100000, (1, 0, 0), "MT-SIM-0001")))
    print("\nSTART:")
    print(hexdump(packet(START, b"")))
    print("\nSET_RATE 50 frames/s:")
    print(hexdump(packet(SET_RATE, struct.pack("<I", 50000))))
    print("\nACK of START, OK:")
    print(hexdump(packet(ACK, bytes([START, 0]))))
