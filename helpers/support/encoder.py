"""The encoder: a process of its own that writes H.264 mp4 videos with PyAV, one at a time.

A game and its video encoder each need about a core. Here they get one each: the game
copies every frame into shared memory and sends two bytes; the encoder process, one thread
(x264 on one thread), reads the frame there, encodes it and answers one byte. Nothing heavy
crosses a pipe, and no encoder thread wakes up on the game's core.

`VideoEncoder` is the game's end; run as a script (``python -P encoder.py``), this module
is the encoder's end, which imports only the standard library, NumPy and PyAV.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import weakref
from fractions import Fraction
from multiprocessing import shared_memory
from pathlib import Path

import numpy as np

RING_BYTES = 8 << 20  # the shared memory for frames waiting to be encoded: at most 8 MiB
MOST_SLOTS = 32  # (32 Space Invaders frames: 3.2 MB)
# x264's "ultrafast" with its two cheapest savings put back (a third smaller files), one thread
X264_OPTIONS = {"preset": "ultrafast", "x264-params": "cabac=1:bframes=3:b-adapt=0"}


class VideoEncoder:
    """Writes mp4 videos, one at a time, in an encoder process started with the first.

    Raises `OSError` with the encoder's reason when it cannot finish a video. `stop` ends
    the process (and a video it was writing); the next `open` starts a new one.

    >>> import tempfile
    >>> encoder = VideoEncoder()
    >>> encoder.open(Path(tempfile.mkdtemp()) / "demo.mp4", 64, 48, Fraction(30))
    >>> encoder.send(np.full((64, 48, 3), 128, dtype=np.uint8))
    >>> encoder.finish()
    >>> encoder.stop()
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.memory: shared_memory.SharedMemory | None = None
        self.ring = np.empty((0, 0, 0, 3), dtype=np.uint8)  # the frames in shared memory
        self.sent = 0  # frames sent in this video
        self.waiting = 0  # frames sent, not yet encoded
        self.busy = False  # a video opened and not (yet) finished without a hitch
        self.pid = os.getpid()  # the process it belongs to (not a fork of it)
        self._stop = weakref.finalize(self, lambda: None)

    def open(self, path: Path, height: int, width: int, fps: Fraction) -> None:
        """Start a video of frames ``(height, width, 3)``: `send` them, then `finish`."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        slots = max(2, min(MOST_SLOTS, RING_BYTES // (height * width * 3)))
        if self.ring.shape != (slots, height, width, 3):
            self._make_ring((slots, height, width, 3))
        self.sent = self.waiting = 0
        self.busy = True
        assert self.memory is not None
        # absolute: an encoder kept from an earlier run has that run's working folder
        video = [self.memory.name, slots, height, width, str(fps), os.path.abspath(path)]
        self._tell(json.dumps(video).encode() + b"\n")
        self._read_reply(wait_for_line=True)  # "ok": it holds the shared memory
        _forget_name(self.memory)  # so that no kill, of either process, can leave it behind

    def send(self, frame: np.ndarray) -> None:
        """Add a frame (``uint8``, of the video's shape) to the video."""
        if self.waiting == len(self.ring):  # every slot holds a frame not yet encoded
            self.waiting -= self._read_reply(wait_for_line=False)
        self.ring[self.sent % len(self.ring)] = frame
        self._tell(b"f\n")
        self.sent += 1
        self.waiting += 1

    def finish(self) -> None:
        """Finish the video: when this returns, the encoder has closed its file."""
        self._tell(b"c\n")
        self._read_reply(wait_for_line=True)
        self.waiting = 0
        self.busy = False

    def stop(self) -> None:
        """End the encoder process (a video it was writing stays unfinished)."""
        self._stop()
        self.process, self.memory = None, None
        self.ring = np.empty((0, 0, 0, 3), dtype=np.uint8)

    def _start(self) -> None:
        self.stop()
        # -P: the script's folder (helpers/support) is not put on the encoder's sys.path;
        # a process group of its own: a Ctrl-C (Jupyter's interrupt) is for the game alone
        if os.name == "nt":
            group: dict[str, int] = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        else:
            group = {"process_group": 0}
        self.process = subprocess.Popen(
            [sys.executable, "-P", __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, **group
        )
        self._stop = weakref.finalize(self, _end, self.process, None, self.pid)

    def _make_ring(self, shape: tuple[int, int, int, int]) -> None:
        old = self.memory
        self.memory = shared_memory.SharedMemory(create=True, size=int(np.prod(shape)))
        _NAMED.add(self.memory.name)
        self.ring = np.ndarray(shape, dtype=np.uint8, buffer=self.memory.buf)
        self._stop.detach()
        self._stop = weakref.finalize(self, _end, self.process, self.memory, self.pid)
        if old is not None:  # the encoder lets go of it when it reads the next video
            _free(old)

    def _tell(self, message: bytes) -> None:
        assert self.process is not None and self.process.stdin is not None
        try:
            os.write(self.process.stdin.fileno(), message)
        except OSError:  # it stopped reading: its last words say why
            self._read_reply(wait_for_line=True)
            raise

    def _read_reply(self, wait_for_line: bool) -> int:
        """Read what the encoder said: a dot per frame encoded, then "ok" or "!reason"
        and a new line if `wait_for_line`. Return the number of dots."""
        assert self.process is not None and self.process.stdout is not None
        said = b""
        while not said or (wait_for_line or b"!" in said) and not said.endswith(b"\n"):
            part = os.read(self.process.stdout.fileno(), 4096)
            if not part:
                raise OSError(f"the encoder stopped (exit code {self.process.wait()})")
            said += part
        last = said.lstrip(b".")
        if last.startswith(b"!"):
            raise OSError(last[1:].decode(errors="replace").strip())
        return len(said) - len(last)


_SPARE: list[VideoEncoder] = []  # encoders whose run has ended, ready for the next


def spare_encoder() -> VideoEncoder:
    """An encoder process already started by an earlier run, if one is free, else a new one:
    starting one (Python, NumPy, PyAV) takes about 0.2 s."""
    while _SPARE:
        encoder = _SPARE.pop()
        if encoder.pid != os.getpid():  # a forked copy of the list: those are not ours
            _SPARE.clear()
        elif encoder.process and encoder.process.poll() is None:
            return encoder
    return VideoEncoder()


def keep_for_later(encoder: VideoEncoder) -> None:
    """Keep an encoder whose last video is finished for the next run (a few are kept); stop
    one that is still writing a video (an interrupt came), or has stopped."""
    if encoder.busy or not encoder.process or encoder.process.poll() is not None or len(_SPARE) > 1:
        encoder.stop()
    else:
        _SPARE.append(encoder)


_NAMED: set[str] = set()  # the names of this process's shared memory not yet removed


def _forget_name(memory: shared_memory.SharedMemory) -> None:
    """Remove the name (POSIX): the memory lives on while a process maps it."""
    if memory.name in _NAMED:
        _NAMED.discard(memory.name)
        try:
            memory.unlink()
        except FileNotFoundError:  # pragma: no cover - already gone
            pass


def _free(memory: shared_memory.SharedMemory) -> None:
    memory.close()
    _forget_name(memory)


def _end(
    process: subprocess.Popen[bytes], memory: shared_memory.SharedMemory | None, pid: int
) -> None:
    """Stop the encoder process and free its shared memory (not from a fork: the parent's)."""
    if os.getpid() != pid:
        return
    if process.poll() is None:
        process.kill()
    process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()
    if memory is not None:
        _free(memory)


# ---- the encoder's end, in its own process -------------------------------------------------


def _attach(name: str) -> shared_memory.SharedMemory:
    """The game's shared memory, which the game (not this process) frees."""
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name, track=False)
    if os.name != "posix":  # no resource tracker there
        return shared_memory.SharedMemory(name)
    from unittest import mock  # before 3.13, attaching would also register it to be freed

    with mock.patch("multiprocessing.resource_tracker.register"):
        return shared_memory.SharedMemory(name)


class _Video:
    """One mp4 being written from the frames in the ring, in the order they were sent."""

    def __init__(self, ring: np.ndarray, fps: str, path: str) -> None:
        import av

        self.ring, self.path, self.count = ring, path, 0
        self.picture = av.VideoFrame.from_ndarray
        self.container = av.open(path, "w", format="mp4", options={"movflags": "+faststart"})
        self.stream = self.container.add_stream("libx264", rate=Fraction(fps), options=X264_OPTIONS)
        self.stream.height, self.stream.width = ring.shape[1:3]
        self.stream.pix_fmt = "yuv420p"
        self.stream.codec_context.thread_count = 1

    def add_next_frame(self) -> None:
        frame = self.picture(self.ring[self.count % len(self.ring)], format="rgb24")
        self.count += 1
        self.container.mux(self.stream.encode(frame))

    def finish(self) -> None:
        self.container.mux(self.stream.encode())  # the frames x264 still holds
        self.container.close()

    def abandon(self) -> None:
        """The game is gone: leave no half-written file, nor its .partial folder."""
        try:
            self.container.close()
        except Exception:  # noqa: BLE001 - the file goes anyway
            pass
        folder = Path(self.path).parent
        Path(self.path).unlink(missing_ok=True)
        if folder.name.endswith(".partial"):
            try:
                folder.rmdir()
            except OSError:
                pass


def main() -> None:
    """Read the game's messages on stdin: a video (JSON; answered "ok" once opened), "f"
    (a frame; answered "."), "c" (finish it; answered "ok"); or answer "!" and the reason."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the game, which tells us
    replies = os.dup(1)  # stdout is for replies only: anything printed goes to stderr
    os.dup2(2, 1)
    memory, video = None, None
    try:
        import av  # noqa: F401 - fails here, with its reason, if PyAV is missing

        for line in sys.stdin.buffer:
            if line == b"f\n":
                video.add_next_frame()
                os.write(replies, b".")
            elif line == b"c\n":
                video.finish()
                video = None
                os.write(replies, b"ok\n")
            else:
                name, slots, height, width, fps, path = json.loads(line)
                if memory is None or memory.name != name:
                    ring = None
                    if memory is not None:
                        memory.close()
                    memory = _attach(name)
                ring = np.ndarray((slots, height, width, 3), np.uint8, memory.buf)
                video = _Video(ring, fps, path)
                os.write(replies, b"ok\n")
    except Exception as err:  # noqa: BLE001 - the game gets the reason
        reason = f"{type(err).__name__}: {err}" + (f", writing {video.path}" if video else "")
        os.write(replies, b"!" + reason.replace("\n", " ").encode() + b"\n")
        sys.exit(1)
    finally:
        if video is not None:
            video.abandon()


if __name__ == "__main__":
    main()
