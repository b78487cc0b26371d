"""Recording episodes to mp4 and showing them inline in a notebook.

- `EpisodeRecorder`: streams frames into an H.264 mp4 while an episode runs.
- `Camera`: films the episodes of a job that a schedule picks, one mp4 each (`run_job` uses it).
- `new_run_folder`: a new folder of its own for one run's videos, with a readable name.
- `video_frame`: a frame as the encoder wants it (``uint8`` RGB), or a clear error.
- `show_video`: an inline ``<video>`` that carries the mp4 as a base64 data URI.
- `VideoTooLargeError`, `VideoEncodingError`: the errors of showing and recording.

Frames go straight to an ffmpeg process (the one imageio-ffmpeg ships), so an
episode is never held in memory, and the encoding runs beside the environment on
another core. The file is written under a temporary name (``.partial``) and
renamed only once ffmpeg has finished it without error, so a video you find in
the folder always plays; a failed or interrupted recording leaves no file.

>>> import numpy as np, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with EpisodeRecorder(folder / "demo.mp4", fps=30) as recorder:
...     for shade in range(0, 250, 10):
...         recorder.add_frame(np.full((64, 48, 3), shade, dtype=np.uint8))
>>> recorder.frames, (folder / "demo.mp4").exists()
(25, True)
"""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import gymnasium as gym
import imageio_ffmpeg
import numpy as np
from IPython.display import HTML

from helpers.atari_frames import FlickerFreeScreen, atari_step_rate, is_atari

__all__ = [
    "EpisodeRecorder",
    "Camera",
    "new_run_folder",
    "video_frame",
    "show_video",
    "VideoTooLargeError",
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


class VideoTooLargeError(ValueError):
    """Raised by `show_video` for a file too large to embed in a notebook."""


class VideoEncodingError(RuntimeError):
    """Raised when ffmpeg could not finish a video (disk full, a size limit, killed)."""


def video_frame(frame: Any) -> np.ndarray:
    """`frame` as the encoder wants it: a ``uint8`` array ``(height, width, 3)``.

    Floats in [0, 1] are scaled to 0..255; floats and integers in 0..255 are
    converted; anything else is a clear error (an all-black video helps nobody).

    >>> video_frame(np.full((2, 2, 3), 0.5))[0, 0]
    array([128, 128, 128], dtype=uint8)
    """
    array = np.asarray(frame)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(
            f"A video frame must be an RGB image of shape (height, width, 3), "
            f"got shape {array.shape}. Make the environment with render_mode='rgb_array'."
        )
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * np.uint8(255)
    if np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer):
        low, high = (array.min(), array.max()) if array.size else (0, 0)
        if np.issubdtype(array.dtype, np.floating):
            if not np.isfinite(array).all():
                raise ValueError("A video frame has NaN or infinite values: it cannot be shown.")
            if low >= 0 and high <= 1:
                return np.rint(array * 255).astype(np.uint8)
        if low >= 0 and high <= 255:
            return np.rint(array).astype(np.uint8)
        raise ValueError(
            f"A video frame of {array.dtype} values from {low} to {high}: colours must be "
            f"0..255 (or floats in 0..1). Scale the frame into that range."
        )
    raise ValueError(
        f"A video frame must hold numbers (uint8 0..255, or floats in 0..1), not {array.dtype}."
    )


class EpisodeRecorder:
    """Write RGB frames to an mp4 (H.264, yuv420p) as they come.

    The file appears under its final name only when `close` finishes it and ffmpeg
    reports success; if ffmpeg fails (disk full, a file size limit, killed),
    `close` or `add_frame` raises `VideoEncodingError` and no file is left.
    `discard` (or leaving a ``with`` block by an exception) removes the
    half-written file instead. A closed recorder takes no more frames.

    Frames are ``uint8`` arrays of shape ``(height, width, 3)`` (floats in [0, 1]
    are scaled), all the same size. An odd width or height is padded by one black
    pixel, since yuv420p needs even sizes.
    """

    def __init__(self, path: str | os.PathLike[str], fps: float | Fraction) -> None:
        self.path = Path(path)
        self.partial_path = self.path.with_name(self.path.name + PARTIAL_SUFFIX)
        self.fps = Fraction(fps).limit_denominator(1001)
        self.frames = 0
        self.state = "new"  # then "recording", and "finished" or "discarded"
        self._process: subprocess.Popen[bytes] | None = None
        self._errors: Any = None  # ffmpeg's messages, in a temporary file
        self._shape: tuple[int, ...] | None = None  # the shape of the frames as given

    def add_frame(self, frame: Any) -> None:
        """Append one frame (``uint8``, ``(height, width, 3)``)."""
        if self.state in ("finished", "discarded"):
            raise RuntimeError(
                f"This recorder is {self.state}: {self.path.name} takes no more frames. "
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
            self._process.stdin.write(frame.data)  # type: ignore[union-attr]
        except OSError as err:  # ffmpeg is gone: it stopped reading
            self._fail(f"ffmpeg stopped reading frames ({err})")
        self.frames += 1

    def _prepare(self, frame: Any) -> np.ndarray:
        """Check and convert a frame; start ffmpeg on the first one."""
        array = video_frame(frame)
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
            imageio_ffmpeg.get_ffmpeg_exe(),
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

    def _fail(self, what: str) -> None:
        """Stop ffmpeg, remove the broken file, and raise a clear error."""
        process, self._process = self._process, None
        message = ""
        if process is not None:
            _stop(process)
            message = _describe_exit(process.returncode, self._errors)
        self.state = "discarded"
        self.partial_path.unlink(missing_ok=True)
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
        if self.state == "discarded":
            return None
        process = self._process
        if process is None:
            self.state = "discarded"
            return None
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
        return self.path

    def discard(self) -> None:
        """Stop writing and delete the half-written file."""
        process, self._process = self._process, None
        if self.state != "finished":
            self.state = "discarded"
        if process is not None:
            _stop(process)
        self.partial_path.unlink(missing_ok=True)

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
    """Let the pipe to ffmpeg hold about ten frames (Linux), so a frame is handed
    over at once while ffmpeg encodes the ones before."""
    set_size = getattr(__import__("fcntl"), "F_SETPIPE_SZ", None) if os.name == "posix" else None
    if set_size is not None:
        try:
            __import__("fcntl").fcntl(pipe.fileno(), set_size, 1 << 20)
        except OSError:
            pass  # a smaller pipe only means waiting a little more


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


def new_run_folder(video_dir: str | os.PathLike[str], label: str) -> Path:
    """Create and return a new folder of `video_dir` for one run: ``<date>_<time>_<label>``.

    The folder is made with ``mkdir``, which fails if it exists: two runs that
    start in the same second (two notebooks open) get ``..._2``, ``..._3``, and
    never share a folder. A ``~`` at the start of `video_dir` means your home.

    >>> import tempfile
    >>> base = tempfile.mkdtemp()
    >>> first, second = new_run_folder(base, "CartPole"), new_run_folder(base, "CartPole")
    >>> first != second, first.parent == second.parent
    (True, True)
    """
    base = Path(video_dir).expanduser()
    stamp = time.strftime("%Y-%m-%d_%H%M%S")
    name = re.sub(r"[^A-Za-z0-9._+-]+", "-", label).strip("-.") or "run"
    try:
        base.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, 10_000):
            folder = base / (f"{stamp}_{name}" + (f"_{attempt}" if attempt > 1 else ""))
            try:
                folder.mkdir()
                return folder
            except FileExistsError:
                continue
        raise FileExistsError(f"too many runs named {stamp}_{name} in {str(base)!r}")
    except OSError as err:
        raise PermissionError(
            f"Cannot write videos to {str(base)!r} ({err.strerror or err}). "
            f"Pass another video_dir, or record_video=False to record none."
        ) from err


def _frame_rate(env: gym.Env) -> Fraction:
    """The video's frame rate: one frame per step, at the game's real speed.

    An Atari game runs 60 emulator frames a second and a step runs ``frameskip``
    of them, so its real rate is ``60 / frameskip`` steps a second (15 for
    ``ALE/SpaceInvaders-v5``, whose ``render_fps`` says 30); any other
    environment plays at its ``metadata["render_fps"]`` (30 if it gives none).
    """
    if is_atari(env):
        return atari_step_rate(env)
    fps = env.metadata.get("render_fps")
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not fps > 0:
        return Fraction(30)
    return Fraction(fps).limit_denominator(1001)


class _RenderedFrames:
    """The frames of any environment: what ``render()`` returns, checked."""

    def __init__(self, env: gym.Env) -> None:
        self.env = env

    def start(self) -> Any:
        return self.frame()

    def frame(self) -> Any:
        frame = self.env.render()
        if frame is None:
            raise ValueError(
                f"{type(self.env.unwrapped).__name__}.render() returned None, although the "
                f"environment's render_mode is {self.env.render_mode!r}: its render method "
                f"must return the frame, an array (height, width, 3). Fix render, or pass "
                f"record_video=False."
            )
        return frame

    def stop(self) -> None:
        pass


class Camera:
    """Films the episodes of a job that `schedule` picks: one mp4 per episode.

    The videos go to a new folder of `video_dir`, for this job alone (see
    `new_run_folder`), named ``episode-000000.mp4`` and so on. They play at the
    game's real speed, and an Atari video shows what a player sees, every sprite
    included (`helpers.atari_frames`).

    `start` opens an episode's video with its first frame (after ``reset``), `film`
    adds the frame of a step, `finish` completes the video and returns its path,
    `close` ends filming: it throws away a half-filmed episode and every file of
    the folder not in `keep`, and removes the folder if it is left empty. With
    ``schedule=None`` it films nothing and every method does nothing.

    >>> import tempfile
    >>> env = gym.make("CartPole-v1", render_mode="rgb_array")
    >>> camera = Camera(env, lambda episode: True, tempfile.mkdtemp(), label="CartPole-v1")
    >>> _ = env.reset(seed=0)
    >>> camera.start(episode=0)
    >>> for _ in range(3):
    ...     _ = env.step(0)
    ...     camera.film()
    >>> video = camera.finish()
    >>> video.name, video.parent.name.endswith("_CartPole-v1"), camera.fps
    ('episode-000000.mp4', True, Fraction(50, 1))
    >>> camera.close(keep=[video])
    >>> env.close()
    """

    def __init__(
        self,
        env: gym.Env,
        schedule: Callable[[int], bool] | None,
        video_dir: str | os.PathLike[str] | None,
        label: str = "run",
    ) -> None:
        self.env, self.schedule = env, schedule
        self.recorder: EpisodeRecorder | None = None
        self.folder: Path | None = None
        self.fps = Fraction(30)
        if schedule is None:
            return
        if env.render_mode != "rgb_array":
            raise ValueError(
                f"Cannot record video: the environment was made with render_mode="
                f"{env.render_mode!r}, and a video needs render_mode='rgb_array'. Make it with "
                f"gym.make(..., render_mode='rgb_array'), pass its id instead, "
                f"or pass record_video=False."
            )
        if video_dir is None or not isinstance(video_dir, (str, os.PathLike)):
            raise TypeError(
                f"video_dir must be a folder name such as 'gym-results', got {video_dir!r}. "
                f"To record no video, pass record_video=False."
            )
        self.fps = _frame_rate(env)
        self.screen = FlickerFreeScreen(env) if is_atari(env) else _RenderedFrames(env)
        self.folder = new_run_folder(video_dir, label)

    def start(self, episode: int) -> None:
        """Start filming `episode` if the schedule picks it."""
        if self.schedule is None or not self.schedule(episode):
            return
        self.recorder = EpisodeRecorder(self.folder / f"episode-{episode:06d}.mp4", self.fps)  # type: ignore[operator]
        self.recorder.add_frame(self.screen.start())

    def film(self) -> None:
        """Add the frame of the step just taken (if this episode is filmed)."""
        if self.recorder is not None:
            self.recorder.add_frame(self.screen.frame())

    def finish(self) -> Path | None:
        """Complete this episode's video; return its path (None if not filmed)."""
        if self.recorder is None:
            return None
        self.screen.stop()
        video = self.recorder.close()
        self.recorder = None
        return video

    def close(self, keep: Iterable[Path] = ()) -> None:
        """Stop filming: discard a half-filmed episode and any file not in `keep`.

        An interrupt that comes in the middle of this cleaning does not stop it:
        it is finished first, then the interrupt goes on.
        """
        if self.folder is None:
            return
        kept = {Path(path).name for path in keep}
        interrupted: BaseException | None = None
        for _ in range(3):
            try:
                self._clean(kept)
                break
            except KeyboardInterrupt as err:
                interrupted = err
        if interrupted is not None:
            raise interrupted

    def _clean(self, kept: set[str]) -> None:
        self.screen.stop()
        if self.recorder is not None:
            self.recorder.discard()
            self.recorder = None
        for path in self.folder.iterdir():  # type: ignore[union-attr]
            if path.name not in kept and path.is_file():
                path.unlink(missing_ok=True)
        try:
            self.folder.rmdir()  # type: ignore[union-attr]  # only if no video is left in it
        except OSError:
            pass


def _check_video_file(path: Any) -> Path:
    """The path of a finished mp4 to show, or a clear error."""
    if path is None:
        raise FileNotFoundError(
            "There is no video to show (the path is None): that episode was not recorded. "
            "Pass record_video=True to run_job to record every episode."
        )
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"show_video needs the path of an mp4 file (such as result.videos[0]), "
            f"got {type(path).__name__}."
        )
    path = Path(path)
    if path.name.endswith(PARTIAL_SUFFIX):
        raise ValueError(
            f"{path.name} is a video still being written, or left unfinished by a recording "
            f"that stopped: it may not play. Show the finished .mp4 (result.videos) instead."
        )
    if not path.is_file():
        raise FileNotFoundError(
            f"No video file at {str(path)!r}. Check the path, "
            f"or run the cell that records it first."
        )
    with open(path, "rb") as file:
        if file.read(8)[4:8] != b"ftyp":
            raise ValueError(
                f"{path.name} is not an mp4 video: show_video plays the mp4 files that "
                f"run_job records (result.videos)."
            )
    return path


def show_video(
    path: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None,
    width: float = 480,
    *,
    max_megabytes: float = 20.0,
) -> HTML:
    """Show an mp4 inline in a notebook, embedded in the page as base64.

    The data URI sits on the ``<video>`` element's own ``src``: JupyterLab keeps
    that attribute even in a notebook that is opened fresh from disk (untrusted),
    where it strips the ``src`` of a ``<source>`` child. So the video plays for
    whoever opens the saved notebook, without running it again. Given a list of
    paths (such as ``result.videos``), it shows them all, one after the other.

    >>> import tempfile, pathlib
    >>> clip = pathlib.Path(tempfile.mkdtemp()) / "clip.mp4"
    >>> with EpisodeRecorder(clip, fps=10) as recorder:
    ...     recorder.add_frame(np.zeros((16, 16, 3), dtype=np.uint8))
    >>> show_video(clip, width=320).data[:40]
    '<video src="data:video/mp4;base64,AAAAIG'
    """
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not width > 0:
        raise TypeError(f"width must be a number of pixels, such as 480; got {width!r}.")
    if path is not None and not isinstance(path, (str, os.PathLike)):
        if not isinstance(path, Iterable):
            _check_video_file(path)  # raises its clear error
        paths = [_check_video_file(one) for one in path]
        if not paths:
            raise ValueError("The list of videos is empty: there is no video to show.")
    else:
        paths = [_check_video_file(path)]
    megabytes = sum(one.stat().st_size for one in paths) / 1e6
    if megabytes > max_megabytes:
        what = paths[0].name if len(paths) == 1 else f"These {len(paths)} videos"
        raise VideoTooLargeError(
            f"{what} {'is' if len(paths) == 1 else 'are'} {megabytes:.1f} MB: embedded in the "
            f"notebook it would make the page slow or freeze the browser. Open the file itself, "
            f"record a shorter episode, or pass max_megabytes={int(megabytes) + 1} if you "
            f"really want it inline."
        )
    return HTML(
        "".join(
            f'<video src="data:video/mp4;base64,{base64.b64encode(one.read_bytes()).decode()}" '
            f'width="{int(width)}" controls loop muted playsinline></video>'
            for one in paths
        )
    )
