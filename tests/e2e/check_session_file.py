"""Checks an mtable session file with h5py, from acquisition/FILE_FORMAT.md alone.

Independent of the C writer: tests/unit/test_session_file.c writes a file
with known contents and runs this script to read it back the way users do.

    /usr/bin/python3 tests/e2e/check_session_file.py FILE EXPECTATION...

Expectations (all optional):
    open=plain|swmr        how to open (plain: any HDF5 reader; swmr: while
                           writing or before recovery); default plain
    plain_open=fails       a plain open must fail (file still open for writing)
    grid=ROWS,COLS         frame shape
    chunk=F                frames per chunk of /frames
    frames=N               exact number of frames
    min_frames=N           at least N frames
    timing=SEQ0,DEV0,DEVSTEP,HOST0,HOSTSTEP
                           sequence[i] = SEQ0 + i (mod 2**32),
                           device_time_us[i] = DEV0 + i * DEVSTEP,
                           host_time_ns[i] = HOST0 + i * HOSTSTEP
    event=TIME,KIND,SEQ,COUNT,BYTES   next /link_events row; KIND by enum name
    events=M               exact number of /link_events rows
    marker=TIME,INDEX,LABEL   next /markers row
    markers=K              exact number of /markers rows
    calibration=C0:P0,C1:P1,...   the /calibration table ("none": absent)
    attr=NAME:TYPE=VALUE   root attribute; TYPE str (variable-length UTF-8),
                           i4, i8 or f8; VALUE "length" means the number of
                           frames, "last_host_time" host_time_ns of the last
    absent=NAME            root attribute that must not exist
    raw_chunks=1           also decode every stored chunk of /frames by hand
                           (zlib, then unshuffle) and check the values beyond
                           the last frame are zeros

Every frame value is checked against value_at(i, r, c) below, which the C
test computes the same way. Exit status 0 when everything holds; otherwise
each failed check is printed and the status is 1.
"""
import sys
import zlib

import h5py
import numpy as np

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def value_at(i, r, c):
    """Frame i, row r, column c: every byte of the 16 bits varies."""
    return (i * 251 + r * 1021 + c * 37 + (i * r * c) % 7) % 65536


def check_frames(f, grid, chunk, exact, minimum, timing):
    frames = f["frames"]
    n = frames.shape[0]
    if grid:
        check(frames.shape[1:] == grid, f"frames shape {frames.shape}, expected (N, {grid})")
    if chunk:
        check(frames.chunks == (chunk,) + frames.shape[1:], f"frames chunks {frames.chunks}")
    check(frames.dtype == np.dtype("<u2"), f"frames dtype {frames.dtype}")
    check(frames.compression == "gzip" and frames.shuffle, "frames lacks shuffle + deflate")
    check(frames.maxshape[0] is None, "frames is not extensible")
    if exact is not None:
        check(n == exact, f"{n} frames, expected {exact}")
    if minimum is not None:
        check(n >= minimum, f"{n} frames, expected at least {minimum}")
    for name in ("sequence", "device_time_us", "host_time_ns"):
        check(f[name].shape == (n,), f"{name} has shape {f[name].shape}, frames {n}")
    i, r, c = np.meshgrid(np.arange(n, dtype=np.int64), np.arange(frames.shape[1]),
                          np.arange(frames.shape[2]), indexing="ij")
    expected = value_at(i, r, c)
    values = frames[:]
    bad = np.argwhere(values != expected)
    check(len(bad) == 0, f"{len(bad)} wrong frame values, first at {bad[:1].tolist()}: "
          f"{values[tuple(bad[0])] if len(bad) else ''}")
    if timing:
        seq0, dev0, dev_step, host0, host_step = timing
        index = np.arange(n, dtype=np.uint64)
        check(f["sequence"].dtype == np.dtype("<u4"), "sequence dtype")
        check(f["device_time_us"].dtype == np.dtype("<u8"), "device_time_us dtype")
        check(f["host_time_ns"].dtype == np.dtype("<i8"), "host_time_ns dtype")
        sequence = (np.uint64(seq0) + index) % np.uint64(2**32)
        check(np.array_equal(f["sequence"][:], sequence), "sequence values")
        check(np.array_equal(f["device_time_us"][:], np.uint64(dev0) + index * np.uint64(dev_step)),
              "device_time_us values")
        host = np.int64(host0) + index.astype(np.int64) * np.int64(host_step)
        check(np.array_equal(f["host_time_ns"][:], host), "host_time_ns values")
    for name, units in (("frames", "counts"), ("sequence", "1"), ("device_time_us", "us"),
                        ("host_time_ns", "ns")):
        check(f[name].attrs.get("units") == units, f"{name} units {f[name].attrs.get('units')}")
    return n


def check_raw_chunks(f):
    """Decodes the stored chunks without HDF5's filters: deflate (zlib), then shuffle."""
    frames = f["frames"]
    n, rows, cols = frames.shape
    size = frames.chunks[0]
    for first in range(0, n, size):
        mask, stored = frames.id.read_direct_chunk((first, 0, 0))
        check(mask == 0, f"chunk at frame {first} has filter mask {mask}")
        inflater = zlib.decompressobj()
        data = inflater.decompress(stored)
        check(inflater.eof and not inflater.unused_data.strip(b"\0"),
              f"chunk at frame {first}: not one zlib stream followed by zero bytes")
        planes = np.frombuffer(data, dtype=np.uint8).reshape(2, -1).astype(np.uint16)
        values = (planes[0] | planes[1] << 8).reshape(size, rows, cols)
        count = min(size, n - first)
        check(np.array_equal(values[:count], frames[first:first + count]),
              f"chunk at frame {first} decodes differently by hand")
        check(not values[count:].any(), f"chunk at frame {first} is not zero-padded")


def check_events(f, expected, count):
    table = f["link_events"]
    check(table.dtype.names == ("host_time_ns", "kind", "sequence", "count", "bytes"),
          f"link_events fields {table.dtype.names}")
    kinds = h5py.check_enum_dtype(table.dtype["kind"])
    check(kinds is not None and table.dtype["kind"].base == np.dtype("u1"),
          "link_events kind is not an enum over uint8")
    names = {value: name for name, value in (kinds or {}).items()}
    rows = table[:]
    if count is not None:
        check(len(rows) == count, f"{len(rows)} link_events rows, expected {count}")
    for k, (time, kind, sequence, number, size) in enumerate(expected):
        if not check(k < len(rows), f"link_events row {k} missing"):
            break
        row = rows[k]
        got = (int(row["host_time_ns"]), names.get(int(row["kind"])), int(row["sequence"]),
               int(row["count"]), int(row["bytes"]))
        check(got == (time, kind, sequence, number, size), f"link_events row {k}: {got}")


def check_markers(f, expected, count):
    table = f["markers"]
    check(table.dtype.names == ("host_time_ns", "frame_index", "label"),
          f"markers fields {table.dtype.names}")
    check(table.dtype["label"] == np.dtype("S64"), f"marker label type {table.dtype['label']}")
    rows = table[:]
    if count is not None:
        check(len(rows) == count, f"{len(rows)} markers, expected {count}")
    for k, (time, index, label) in enumerate(expected):
        if not check(k < len(rows), f"marker {k} missing"):
            break
        row = rows[k]
        got = (int(row["host_time_ns"]), int(row["frame_index"]), row["label"].decode("ascii"))
        check(got == (time, index, label), f"marker {k}: {got}")


def check_attribute(f, name, kind, value, n):
    if not check(name in f.attrs, f"attribute {name} missing"):
        return
    stored = f.attrs.get_id(name).dtype
    got = f.attrs[name]
    if value == "length":
        value = str(n)
    elif value == "last_host_time":
        value = str(int(f["host_time_ns"][n - 1]))
    if kind == "str":
        info = h5py.check_string_dtype(stored)
        check(info is not None and info.length is None and info.encoding == "utf-8",
              f"attribute {name} is not a variable-length UTF-8 string: {stored}")
        check(got == value, f"attribute {name} = {got!r}, expected {value!r}")
    else:
        check(stored == np.dtype("<" + kind), f"attribute {name} has type {stored}, expected {kind}")
        number = float(value) if kind == "f8" else int(value)
        check(got == number, f"attribute {name} = {got!r}, expected {number!r}")


def main():
    path, expectations = sys.argv[1], [arg.split("=", 1) for arg in sys.argv[2:]]
    options = {"open": "plain"}
    events, markers, attributes, absent = [], [], [], []
    for key, value in expectations:
        if key == "event":
            time, kind, sequence, count, size = value.split(",")
            events.append((int(time), kind, int(sequence), int(count), int(size)))
        elif key == "marker":
            time, index, label = value.split(",", 2)
            markers.append((int(time), int(index), label))
        elif key == "attr":
            name_type, attribute_value = value.split("=", 1)
            attributes.append(tuple(name_type.split(":")) + (attribute_value,))
        elif key == "absent":
            absent.append(value)
        else:
            options[key] = value

    if options.get("plain_open") == "fails":
        try:
            h5py.File(path, "r").close()
            check(False, "a plain open succeeded on a file still open for writing")
        except OSError:
            pass
    if options["open"] == "swmr":
        f = h5py.File(path, "r", libver="latest", swmr=True)
    else:
        f = h5py.File(path, "r")
    with f:
        grid = tuple(int(x) for x in options["grid"].split(",")) if "grid" in options else None
        timing = [int(x) for x in options["timing"].split(",")] if "timing" in options else None
        n = check_frames(f, grid, int(options.get("chunk", 0)),
                         int(options["frames"]) if "frames" in options else None,
                         int(options["min_frames"]) if "min_frames" in options else None, timing)
        if options.get("raw_chunks") == "1":
            check_raw_chunks(f)
        check_events(f, events, int(options["events"]) if "events" in options else None)
        check_markers(f, markers, int(options["markers"]) if "markers" in options else None)
        if options.get("calibration") == "none":
            check("calibration" not in f, "calibration present")
        elif "calibration" in options:
            pairs = [[float(x) for x in pair.split(":")] for pair in options["calibration"].split(",")]
            check("calibration" in f and f["calibration"].dtype == np.dtype("<f8") and
                  np.array_equal(f["calibration"][:], np.array(pairs)), "calibration table")
        for name, kind, value in attributes:
            check_attribute(f, name, kind, value, n)
        for name in absent:
            check(name not in f.attrs, f"attribute {name} present")
    for failure in failures:
        print(f"check_session_file: {path}: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
