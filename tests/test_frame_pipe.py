"""FramePipe: every frame reaches ffmpeg's pipe whole and in order, however slow the reader."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from helpers import frame_pipe
from helpers.frame_pipe import FramePipe
from helpers.recorder import _enlarge_pipe

# Reads its stdin slowly, in odd-sized pieces, and prints the SHA-256 of all it read.
SLOW_READER = """
import hashlib, sys, time
digest, total = hashlib.sha256(), 0
while piece := sys.stdin.buffer.read(77_777):
    digest.update(piece)
    total += len(piece)
    time.sleep(0.002)
print(total, digest.hexdigest())
"""


def frames(count, shape=(210, 160, 3)):
    """Distinct frames, all from one reused array (as FlickerFreeScreen hands them over)."""
    rng = np.random.default_rng(0)
    shown = np.empty(shape, dtype=np.uint8)
    for _ in range(count):
        shown[...] = rng.integers(0, 256, shape, dtype=np.uint8)
        yield shown


def send_to_slow_reader(count, shape=(210, 160, 3)):
    reader = subprocess.Popen(
        [sys.executable, "-c", SLOW_READER], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    _enlarge_pipe(reader.stdin)  # as EpisodeRecorder does: 1 MB, ten Space Invaders frames
    pipe = FramePipe(reader.stdin, frame_bytes=int(np.prod(shape)))
    expected = hashlib.sha256()
    for frame in frames(count, shape):
        expected.update(frame.tobytes())
        pipe.send(frame)
    reader.stdin.close()
    total, digest = reader.stdout.read().decode().split()
    reader.wait()
    return pipe, int(total), digest, expected.hexdigest()


def test_frames_arrive_whole_and_in_order_while_the_reader_lags():
    # 60 frames of 100 KB, three times what the pipe holds: the pipe fills, the
    # ring of buffers comes round several times, and no frame is changed before it is read
    pipe, total, digest, expected = send_to_slow_reader(60)
    assert total == 60 * 210 * 160 * 3
    assert digest == expected
    if frame_pipe.ZERO_COPY:
        assert pipe.lend and len(pipe.ring) < 60


def test_a_ring_too_short_would_be_caught(monkeypatch):
    """The test above can fail: with two buffers, lent frames change before they are read."""
    if not frame_pipe.ZERO_COPY:
        pytest.skip("frames are copied, not lent, on this system")
    original = FramePipe.__init__

    def short_ring(self, pipe, frame_bytes):
        original(self, pipe, frame_bytes)
        self.ring = self.ring[:2]  # two buffers: each is reused at once

    monkeypatch.setattr(FramePipe, "__init__", short_ring)
    _, total, digest, expected = send_to_slow_reader(60)
    assert total == 60 * 210 * 160 * 3
    assert digest != expected


def test_small_frames_keep_the_ring_small():
    # each lent frame takes at least one page of the pipe: 1 MB holds at most 256 of them
    _, total, digest, expected = send_to_slow_reader(400, shape=(2, 2, 3))
    assert (total, digest) == (400 * 12, expected)
    reader = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    pipe = FramePipe(reader.stdin, frame_bytes=12)
    assert len(pipe.ring) <= 300
    reader.stdin.close()
    reader.wait()


def test_a_reader_that_is_gone_is_a_broken_pipe():
    reader = subprocess.Popen([sys.executable, "-c", "pass"], stdin=subprocess.PIPE)
    reader.wait()
    pipe = FramePipe(reader.stdin, frame_bytes=210 * 160 * 3)
    with pytest.raises(BrokenPipeError):
        for frame in frames(20):
            pipe.send(frame)
    reader.stdin.close = lambda: None  # its buffer may hold bytes it can no longer write


def test_a_file_that_is_not_a_pipe_is_written_as_usual(tmp_path):
    with open(tmp_path / "frames.raw", "wb") as file:
        pipe = FramePipe(file, frame_bytes=12)
        assert not pipe.lend
        for frame in frames(3, shape=(2, 2, 3)):
            pipe.send(frame)
    assert (tmp_path / "frames.raw").stat().st_size == 36


def test_a_frame_of_another_size_or_type_is_a_clear_error():
    reader = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    pipe = FramePipe(reader.stdin, frame_bytes=12)
    with pytest.raises(ValueError, match="frames of 12 bytes"):
        pipe.send(np.zeros(1, dtype=np.uint8))
    with pytest.raises(ValueError, match="frames of 12 bytes"):
        pipe.send(np.zeros(12, dtype=np.int64))
    reader.stdin.close()
    reader.wait()
    with pytest.raises(ValueError, match="frame_bytes"):
        FramePipe(reader.stdin, frame_bytes=0)


def test_a_stream_in_memory_is_written_as_usual():
    import io

    stream = io.BytesIO()
    pipe = FramePipe(stream, frame_bytes=12)
    pipe.send(np.arange(24, dtype=np.uint8).reshape(2, 4, 3)[:, ::2])  # not contiguous
    assert stream.getvalue() == bytes([0, 1, 2, 6, 7, 8, 12, 13, 14, 18, 19, 20])


def test_a_pipe_that_is_closed_takes_no_more_frames():
    reader = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    pipe = FramePipe(reader.stdin, frame_bytes=12)
    reader.stdin.close()
    reader.wait()
    with pytest.raises(ValueError, match="closed"):
        pipe.send(np.zeros(12, dtype=np.uint8))


def test_where_vmsplice_is_refused_the_frames_are_copied(monkeypatch):
    import ctypes
    import errno

    if not frame_pipe.ZERO_COPY:
        pytest.skip("frames are copied on this system anyway")

    def refused(*args):  # as a sandbox that forbids vmsplice answers
        ctypes.set_errno(errno.EPERM)
        return -1

    monkeypatch.setattr(frame_pipe, "_vmsplice", refused)
    pipe, total, digest, expected = send_to_slow_reader(20)
    assert (total, digest) == (20 * 210 * 160 * 3, expected)
    assert not pipe.lend
