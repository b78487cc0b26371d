"""Writing frames to an mp4, safely: `EpisodeRecorder`.

- `EpisodeRecorder`: streams frames into an H.264 mp4 while an episode runs.
- `video_frame`: a frame as the encoder wants it (``uint8`` RGB), or a clear error;
  `colour_scale`: whether a float frame's colours go to 1 or to 255.
- `frame_rate`: frames per second as an exact fraction, or a clear error.
- `VideoEncodingError`: raised when ffmpeg could not finish a video.
- `PARTIAL_SUFFIX`, `ENCODER_OPTIONS`: the temporary name's ending, x264's settings.

Frames go straight to an ffmpeg process (the one imageio-ffmpeg ships), through
`helpers.frame_pipe.FramePipe`, so an episode is never held in memory, and the
encoding runs beside the environment on another core. The file is written under a
temporary name (``.partial``) and renamed only once ffmpeg has finished it without
error, so a video you find in the folder always plays; a failed or interrupted
recording leaves no file.

>>> import numpy as np, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with EpisodeRecorder(folder / "demo.mp4", fps=30) as recorder:
...     for shade in range(0, 250, 10):
...         recorder.add_frame(np.full((64, 48, 3), shade, dtype=np.uint8))
>>> recorder.frames, (folder / "demo.mp4").exists()
(25, True)
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import signal
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import imageio_ffmpeg
import numpy as np

from helpers.checks import is_real_number
from helpers.frame_pipe import FramePipe

__all__ = [
    "EpisodeRecorder",
    "video_frame",
    "colour_scale",
    "frame_rate",
    "VideoEncodingError",
    "PARTIAL_SUFFIX",
    "ENCODER_OPTIONS",
]

PARTIAL_SUFFIX = ".partial"
"""Added to a video's name while it is being written."""

ENCODER_OPTIONS = [
    "-preset",
    "ultrafast",
    "-x264-params",
    "cabac=1:bframes=3:b-adapt=0",
    "-threads",
    "1",
]
"""x264's settings, on one thread, so that it keeps up with a game on the other core.

Measured on Space Invaders frames: "veryfast" took 380 us of CPU a frame, more than
a step of the game (about 250 us), so the game waited for the encoder; "ultrafast"
with x264's two cheapest savings put back (CABAC coding, B-frames) takes 240 us,
for files about 1.8 times larger (about 0.6 KB a step)."""


class VideoEncodingError(RuntimeError):
    """Raised when ffmpeg could not finish a video (disk full, a size limit, killed)."""


def video_frame(frame: Any, float_scale: float | None = None) -> np.ndarray:
    """`frame` as the encoder wants it: a ``uint8`` array ``(height, width, 3)``.

    Float colours are read on `float_scale`: 1.0 (colours 0..1, scaled up to 0..255)
    or 255.0 (colours 0..255). ``None`` decides from this frame: 0..1 if all its
    values are. Integers in 0..255 are converted; anything else is a clear error
    (an all-black video helps nobody). `EpisodeRecorder` decides the scale once,
    from a video's first frame, so that every frame of a video is read the same way.

    >>> video_frame(np.full((2, 2, 3), 0.5))[0, 0]
    array([128, 128, 128], dtype=uint8)
    >>> video_frame(np.full((2, 2, 3), 0.5), float_scale=255.0)[0, 0]
    array([0, 0, 0], dtype=uint8)
    """
    array = np.asarray(frame)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(
            f"A video frame must be an RGB image of shape (height, width, 3), "
            f"got shape {array.shape}. Make the environment with render_mode='rgb_array'."
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"A video frame has no pixels (shape {array.shape}): render must return the "
            f"picture of the environment, at least 1x1."
        )
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * np.uint8(255)
    if np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise ValueError("A video frame has NaN or infinite values: it cannot be shown.")
        scale = float_scale or colour_scale(array) or 1.0
        low, high = array.min(), array.max()
        if low < 0 or high > 255:
            raise ValueError(
                f"A video frame of {array.dtype} values from {low:g} to {high:g}: colours must "
                f"be 0..255 (or floats in 0..1). Scale the frame into that range."
            )
        if high > scale:
            raise ValueError(
                f"A video frame of floats from {low:g} to {high:g}, in a video whose colours "
                f"go from 0 to 1 (read from its first frame). Give every frame of a video on "
                f"one scale: floats in 0..1, or numbers in 0..255."
            )
        return np.rint(array * (255 / scale)).astype(np.uint8)
    if np.issubdtype(array.dtype, np.integer):
        low, high = array.min(), array.max()
        if low >= 0 and high <= 255:
            return array.astype(np.uint8)
        raise ValueError(
            f"A video frame of {array.dtype} values from {low} to {high}: colours must be "
            f"0..255 (or floats in 0..1). Scale the frame into that range."
        )
    raise ValueError(
        f"A video frame must hold numbers (uint8 0..255, or floats in 0..1), not {array.dtype}."
    )


def colour_scale(frame: np.ndarray) -> float | None:
    """How to read a float frame's colours: 1.0 if they lie in 0..1, 255.0 if one is
    above 1, and None for an all-black frame (black reads the same on both scales).

    >>> colour_scale(np.array([[[0.0, 0.5, 1.0]]])), colour_scale(np.array([[[0.0, 9.0, 1.0]]]))
    (1.0, 255.0)
    >>> print(colour_scale(np.zeros((1, 1, 3))))
    None
    """
    if not frame.size or not frame.max() > 0:
        return None
    return 1.0 if frame.min() >= 0 and frame.max() <= 1 else 255.0


def _video_path(path: Any) -> Path:
    """The mp4 file to write, checked: a name in a folder that exists."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be the name of an mp4 file, such as 'demo.mp4'; got {path!r}.")
    try:
        path = Path(path).expanduser()
    except RuntimeError as err:  # "~someone" who is not known here
        raise ValueError(f"Cannot find the home folder in {str(path)!r}: {err}.") from None
    if path.is_dir():
        raise IsADirectoryError(
            f"{str(path)!r} is a folder: give the name of the mp4 file to write in it, "
            f"such as {str(path / 'episode.mp4')!r}."
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"There is no folder {str(path.parent)!r} to write {path.name} in: create it "
            f"first (pathlib.Path({str(path.parent)!r}).mkdir(parents=True))."
        )
    return path


def frame_rate(fps: Any) -> Fraction:
    """`fps` as a Fraction (up to 1001ths, as in 30000/1001), or a clear error.

    >>> frame_rate(29.97), frame_rate(np.int64(15))
    (Fraction(2997, 100), Fraction(15, 1))
    """
    if not is_real_number(fps):
        raise TypeError(f"fps must be a number of frames per second, such as 30; got {fps!r}.")
    if not math.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be a positive number of frames per second; got {fps!r}.")
    rate = Fraction(fps if isinstance(fps, numbers.Rational) else float(fps))
    return rate.limit_denominator(1001) or Fraction(1, 1001)


class EpisodeRecorder:
    """Write RGB frames to an mp4 (H.264, yuv420p) as they come.

    The file appears under its final name only when `close` finishes it and ffmpeg
    reports success; if ffmpeg fails (disk full, a file size limit, killed),
    `close` or `add_frame` raises `VideoEncodingError` and no file is left.
    `discard` (or leaving a ``with`` block by an exception) removes the
    half-written file instead. A closed recorder takes no more frames.

    Frames are ``uint8`` arrays of shape ``(height, width, 3)`` (floats in [0, 1]
    are scaled: see `video_frame`), all the same size. An odd width or height is
    padded by one black pixel, since yuv420p needs even sizes.

    `path` is the mp4 to write (its folder must exist; a ``~`` means your home); a
    file already there is replaced when the new video is finished. `fps` is the
    frames per second it plays at. A recorder that is lost without `close` or
    `discard` stops its ffmpeg and removes its half-written file.
    """

    def __init__(self, path: str | os.PathLike[str], fps: float | Fraction) -> None:
        self.path = _video_path(path)
        self.partial_path = self.path.with_name(self.path.name + PARTIAL_SUFFIX)
        self.fps = frame_rate(fps)
        self.frames = 0
        self.state = "new"  # then "recording", and "finished" or "discarded"
        # (or "left to the parent": the copy of a recorder in a forked child process)
        self._process: subprocess.Popen[bytes] | None = None
        self._errors: Any = None  # ffmpeg's messages, in a temporary file
        self._shape: tuple[int, ...] | None = None  # the shape of the frames as given
        self._all_sent = False  # close has begun: ffmpeg has every frame
        self._pipe: FramePipe | None = None  # the frames' way to ffmpeg
        self._float_scale: float | None = None  # float colours: to 1 or to 255, from frame 1
        self._forget: weakref.finalize | None = None  # stops ffmpeg if this recorder is lost

    def add_frame(self, frame: Any) -> None:
        """Append one frame (``uint8``, ``(height, width, 3)``)."""
        if self.state not in ("new", "recording") or self._all_sent:
            state = self.state if self.state != "recording" else "being finished"
            raise RuntimeError(
                f"This recorder is {state}: {self.path.name} takes no more frames. "
                f"Start a new EpisodeRecorder for another video."
            )
        if (
            type(frame) is not np.ndarray
            or frame.dtype != np.uint8
            or frame.shape != self._shape
            or frame.shape[0] % 2
            or frame.shape[1] % 2
            or not frame.flags.c_contiguous
        ):
            frame = self._prepare(frame)
        try:
            self._pipe.send(frame)  # type: ignore[union-attr]
        except OSError as err:  # ffmpeg is gone: it stopped reading
            self._fail(f"ffmpeg stopped reading frames ({err})")
        self.frames += 1

    def _prepare(self, frame: Any) -> np.ndarray:
        """Check and convert a frame; start ffmpeg on the first one."""
        if self._float_scale is None and np.issubdtype(np.asarray(frame).dtype, np.floating):
            self._float_scale = colour_scale(np.asarray(frame))
        array = video_frame(frame, self._float_scale)
        if self._shape is None:
            self._shape = array.shape
            self._start(array.shape[1] + array.shape[1] % 2, array.shape[0] + array.shape[0] % 2)
        elif array.shape != self._shape:
            raise ValueError(
                f"Every frame of a video must have the same size: the first was "
                f"{self._shape[0]}x{self._shape[1]} (height x width), this one is "
                f"{array.shape[0]}x{array.shape[1]}."
            )
        height, width = array.shape[:2]
        if height % 2 or width % 2:
            array = np.pad(array, ((0, height % 2), (0, width % 2), (0, 0)))
        return np.ascontiguousarray(array)

    def _start(self, width: int, height: int) -> None:
        """Start ffmpeg, reading raw RGB frames from a pipe."""
        command = [
            _ffmpeg(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{width}x{height}",
            "-r",
            str(self.fps),
            "-i",
            "-",
            "-an",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            *ENCODER_OPTIONS,
            # "-f mp4": the temporary name does not end in .mp4. "+faststart": the
            # index goes first, so browsers start playing at once.
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            str(self.partial_path),
        ]
        self._errors = tempfile.TemporaryFile()
        self.state = "recording"
        with _signals_held():  # an interrupt must not lose the process between fork and here
            self._process = _start_process(command, self._errors)
        _enlarge_pipe(self._process.stdin)
        _keep_off_this_core(self._process)
        self._forget = weakref.finalize(self, _abandon, self._process, self.partial_path)
        _RECORDING.add(self)
        self._pipe = FramePipe(self._process.stdin, width * height * 3)  # type: ignore[arg-type]

    def _fail(self, what: str) -> None:
        """Stop ffmpeg, remove the broken file, and raise a clear error."""
        process, self._process = self._process, None
        message = ""
        if process is not None:
            _stop(process)
            message = _describe_exit(process.returncode, self._errors)
        self.state = "discarded"
        self.partial_path.unlink(missing_ok=True)
        self._release()
        raise VideoEncodingError(
            f"Could not record {self.path.name}: {what}{message}. Earlier videos are "
            f"complete; free some disk space or pass record_video=False."
        )

    def close(self) -> Path | None:
        """Finish the file and give it its final name; returns that path.

        Returns ``None`` when no frame was ever added (no file is written).
        Raises `VideoEncodingError` (and removes the broken file) if ffmpeg failed.
        """
        if self.state == "finished":
            return self.path
        if self.state in ("discarded", "left to the parent"):
            return None
        process = self._process
        if process is None:
            self.state = "discarded"
            return None
        self._all_sent = True
        try:
            process.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass  # ffmpeg died: its exit status says why
        if process.wait() != 0:
            self._fail("ffmpeg failed")
        if not _is_complete_mp4(self.partial_path):
            self._fail("ffmpeg left an incomplete file")
        os.replace(self.partial_path, self.path)
        self._process = None
        self.state = "finished"
        self._release()
        return self.path

    def discard(self) -> None:
        """Stop writing and delete the half-written file.

        If `close` had begun (ffmpeg has every frame: only an interrupt stopped
        it), the video is whole: it is finished and kept instead.
        """
        if self.state == "left to the parent":  # this is a forked copy: not ours to delete
            return
        process, self._process = self._process, None
        if process is not None and self._all_sent and self.state == "recording":
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            if process.returncode == 0 and _is_complete_mp4(self.partial_path):
                os.replace(self.partial_path, self.path)
                self.state = "finished"
                self._release()
                return
        if self.state != "finished":
            self.state = "discarded"
        if process is not None:
            _stop(process)
        self.partial_path.unlink(missing_ok=True)
        self._release()

    def _release(self) -> None:
        """The recording is over (finished or not): let go of ffmpeg's messages."""
        if self._forget is not None:
            self._forget.detach()
        errors, self._errors = self._errors, None
        if errors is not None:
            errors.close()

    def __enter__(self) -> EpisodeRecorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()


@functools.cache
def _ffmpeg() -> str:
    """The path of imageio-ffmpeg's ffmpeg (looked up once: it checks files each time)."""
    return imageio_ffmpeg.get_ffmpeg_exe()


def _start_process(command: list[str], errors: Any) -> subprocess.Popen[bytes]:
    """Start ffmpeg reading frames from a pipe, its messages going to `errors`."""
    return subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=errors,
        # its own process group: a Ctrl-C in a terminal reaches Python, which
        # then stops ffmpeg itself (finishing or discarding the file)
        **(
            {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
            if sys.platform == "win32"
            else {"start_new_session": True}
        ),
    )


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back Ctrl-C (and any signal with a Python handler) until the block ends.

    A signal that comes meanwhile is handled at the end of the block: the
    interrupt still happens, a moment later, once the state is consistent.
    Only the main thread handles signals, so elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, Any]] = []
    saved = {}
    for number in signal.valid_signals():
        handler = signal.getsignal(number)
        if callable(handler):
            saved[number] = handler
            signal.signal(number, lambda number, frame: caught.append((number, frame)))
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
        for number, frame in caught:
            saved[number](number, frame)


def _enlarge_pipe(pipe: Any) -> None:
    """Let the pipe to ffmpeg hold about ten frames (Linux), so that a frame is handed
    over at once while ffmpeg encodes the ones before."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass  # another system, or a smaller limit: a little more waiting, that is all


def _this_core() -> int:
    """The core this thread runs on now (Linux: field 39 of ``/proc/thread-self/stat``)."""
    with open("/proc/thread-self/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[36])


def _keep_off_this_core(process: subprocess.Popen[bytes]) -> None:
    """Let ffmpeg run on every core but the one the game runs on now (Linux, 2+ cores).

    ffmpeg hands each frame through several threads of its own. Left alone, the
    kernel often wakes them on the core of the process that woke them, the game's,
    where they take turns with the game while another core may be idle. Measured
    on 2 cores (``benchmarks/bench_run_job.py``): recording every episode went from
    about 0.71x to 0.745x of the speed of a bare loop. Elsewhere it does nothing.
    """
    try:
        others = os.sched_getaffinity(0) - {_this_core()}
        if others:
            os.sched_setaffinity(process.pid, others)
    except (AttributeError, OSError, ValueError, IndexError):
        pass  # not Linux, or ffmpeg already gone: it only costs a little speed


_RECORDING: weakref.WeakSet[EpisodeRecorder] = weakref.WeakSet()
"""The recorders of this process that have started ffmpeg (see `_leave_to_the_parent`)."""


def _leave_to_the_parent() -> None:
    """In a child made by ``fork`` (as multiprocessing does on Linux, say in an agent's
    ``train``): leave every recording to the parent.

    The child's copy of each pipe to ffmpeg is pointed at the null device, or ffmpeg
    would wait for the child to close it too and the video could never be finished;
    and the child's copies of the recorders take no frames and delete nothing.
    """
    for recorder in list(_RECORDING):
        process, recorder._process = recorder._process, None
        recorder.state = "left to the parent"
        if recorder._forget is not None:
            recorder._forget.detach()
        if process is not None and process.stdin is not None:
            try:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, process.stdin.fileno())
                os.close(null)
            except (OSError, ValueError):
                pass  # already closed: nothing of it is left here


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_leave_to_the_parent)


def _abandon(process: subprocess.Popen[bytes], partial_path: Path) -> None:
    """What a recorder lost before `close` leaves behind: stop ffmpeg, remove the file."""
    _stop(process)
    partial_path.unlink(missing_ok=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill ffmpeg and wait until it is gone (so it writes nothing more)."""
    if process.poll() is None:
        process.kill()
    try:
        process.stdin.close()  # type: ignore[union-attr]
    except OSError:
        pass
    process.wait()


def _describe_exit(returncode: int, errors: Any) -> str:
    """Why ffmpeg stopped, in words: its exit status and the end of its messages."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        reason = {"SIGXFSZ": " (the file size limit)", "SIGKILL": " (killed)"}.get(name, "")
        status = f" (ffmpeg was stopped by {name}{reason})"
    else:
        status = f" (ffmpeg exited with status {returncode})"
    text = ""
    if errors is not None:
        try:
            errors.seek(0)
            text = errors.read().decode(errors="replace").strip().splitlines()[-1:][0]
        except (OSError, IndexError):
            text = ""
    return status + (f": {text}" if text else "")


def _is_complete_mp4(path: Path) -> bool:
    """Whether `path` starts as a finished mp4 does: an ``ftyp`` box, then the index
    (``moov``, put first by +faststart) or the data."""
    try:
        with open(path, "rb") as file:
            head = file.read(8)
            if len(head) < 8 or head[4:8] != b"ftyp":
                return False
            file.seek(int.from_bytes(head[:4], "big"))
            return file.read(8)[4:8] == b"moov"
    except OSError:
        return False
