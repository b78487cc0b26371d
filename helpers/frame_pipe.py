"""Handing video frames to ffmpeg cheaply: `FramePipe`.

- `FramePipe`: sends frames into the pipe that ffmpeg reads them from.
- `ZERO_COPY`: whether this system lends the frames to the pipe (Linux) or copies them.

A Space Invaders frame is 100 KB, sent once a step. An ordinary ``write`` copies it into
the pipe, and on Linux that copy was the largest cost of filming left to the game's core
(about 40 us a step, measured with py-spy). Linux's ``vmsplice`` instead lends the pages
of the frame to the pipe, and ffmpeg copies them out on its own core. A lent frame must
not change until ffmpeg has read it, so `FramePipe` keeps each frame in a ring of
buffers longer than the pipe can hold: a buffer comes round again only after the pipe
has handed its frame on. Elsewhere (macOS, Windows), or if ``vmsplice`` is refused, it
writes as usual.

>>> import subprocess, sys, numpy as np
>>> count = "import sys; print(len(sys.stdin.buffer.read()))"  # how many bytes came
>>> reader = subprocess.Popen([sys.executable, "-c", count],
...                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
>>> pipe = FramePipe(reader.stdin, frame_bytes=12)
>>> for shade in range(3):
...     pipe.send(np.full((2, 2, 3), shade, dtype=np.uint8))
>>> reader.stdin.close(); int(reader.stdout.read())
36
>>> _ = reader.wait()
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
import stat
import sys
from typing import IO, Any

import numpy as np

__all__ = ["FramePipe", "ZERO_COPY"]


class _IoVec(ctypes.Structure):
    """One ``struct iovec``: where a piece of memory starts, and its length."""

    _fields_ = [("base", ctypes.c_void_p), ("length", ctypes.c_size_t)]


def _load_vmsplice() -> Any:
    """libc's ``vmsplice``, or None where there is none (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        vmsplice = ctypes.CDLL(None, use_errno=True).vmsplice
    except (OSError, AttributeError):
        return None
    vmsplice.argtypes = [ctypes.c_int, ctypes.POINTER(_IoVec), ctypes.c_ulong, ctypes.c_uint]
    vmsplice.restype = ctypes.c_ssize_t
    return vmsplice


_vmsplice = _load_vmsplice()
_REFUSED = {errno.ENOSYS, errno.EPERM, errno.EINVAL, errno.EOPNOTSUPP}
"""What ``vmsplice`` answers where a sandbox or an emulation does not allow it."""

ZERO_COPY = _vmsplice is not None
"""True where frames are lent to the pipe (Linux's ``vmsplice``) rather than copied."""


class FramePipe:
    """Sends frames of `frame_bytes` bytes into `pipe` (a binary stream, ffmpeg's stdin).

    `send` returns once the whole frame is in the pipe; it waits while the pipe
    is full, and raises ``BrokenPipeError`` (an ``OSError``) once the reader is gone.

    Lending is safe for a reader that copies the frames out with ``read``, as
    ffmpeg does, from a pipe whose size nobody changes after this object is made.
    A reader that passes the pages on (``splice``, ``tee``) frees its pipe before
    it is done with them: give such a reader a file or a plain pipe instead.
    """

    def __init__(self, pipe: IO[bytes], frame_bytes: int) -> None:
        if isinstance(frame_bytes, bool) or not isinstance(frame_bytes, int) or frame_bytes < 1:
            raise ValueError(f"frame_bytes must be a whole number from 1, got {frame_bytes!r}.")
        self.pipe = pipe
        self.frame_bytes = frame_bytes
        try:
            self.fd = pipe.fileno()
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation: in memory
            self.fd = -1
        size = _pipe_bytes(self.fd) if ZERO_COPY and self.fd >= 0 and _is_pipe(self.fd) else None
        self.lend = size is not None
        self.ring = np.empty((0, frame_bytes), dtype=np.uint8)
        self.next = 0
        if self.lend:
            # More buffers than the frames the pipe can hold at once (each frame takes
            # at least one of its pages, and a part of one more at either end): a
            # buffer comes round again only after ffmpeg has read its frame.
            page = os.sysconf("SC_PAGE_SIZE")
            count = min(size // page, size // max(frame_bytes, 1)) + 3
            # In memory of their own (mmap), not the heap: should this object go
            # before ffmpeg has read the last frames, the pages the pipe holds are
            # not handed to anything else; the kernel frees them once they are read.
            memory = mmap.mmap(-1, count * frame_bytes)
            self.ring = np.frombuffer(memory, dtype=np.uint8).reshape(count, frame_bytes)
            start = self.ring.ctypes.data  # where each buffer starts, found once: it is slow
            self.starts = [start + index * frame_bytes for index in range(count)]
            self.iovec = _IoVec()
            self.call = (ctypes.c_int(self.fd), ctypes.byref(self.iovec), ctypes.c_ulong(1))

    def send(self, frame: np.ndarray) -> None:
        """Put `frame` (a ``uint8`` array of `frame_bytes` bytes) into the pipe."""
        if self.pipe.closed:  # its number may belong to another file by now
            raise ValueError("FramePipe: the pipe is closed; it takes no more frames.")
        if frame.nbytes != self.frame_bytes or frame.dtype != np.uint8:
            raise ValueError(
                f"FramePipe sends frames of {self.frame_bytes} bytes (uint8); this one is "
                f"{frame.nbytes} bytes of {frame.dtype} (shape {frame.shape})."
            )
        if not self.lend:
            self.pipe.write(np.ascontiguousarray(frame).data)
            return
        index = self.next
        self.next = (index + 1) % len(self.ring)
        np.copyto(self.ring[index], frame.reshape(-1))
        start, left = self.starts[index], self.frame_bytes
        while left:
            self.iovec.base, self.iovec.length = start, left
            lent = _vmsplice(*self.call, 0)
            if lent > 0:
                start, left = start + lent, left - lent
                continue
            error = ctypes.get_errno() if lent < 0 else errno.EPIPE
            if error == errno.EINTR:  # a signal: Python runs its handler, then we go on
                continue
            if error in _REFUSED:  # a sandbox that forbids vmsplice: copy from now on
                self.lend = False
                self.pipe.write(self.ring[index, self.frame_bytes - left :].data)
                return
            raise OSError(error, os.strerror(error))


def _is_pipe(fd: int) -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    except OSError:
        return False


def _pipe_bytes(fd: int) -> int | None:
    """How many bytes the pipe holds (Linux's ``F_GETPIPE_SZ``), or None if it cannot say."""
    try:
        import fcntl

        return int(fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ))
    except (ImportError, AttributeError, OSError):
        return None
