"""Filming a job's episodes: the `Camera` wrapper and its `EpisodeRecorder` (a `VideoEncoder`).

A video is written under a ``.partial`` name, checked to be a complete mp4, and only then
renamed: a video in the folder always plays; a failed or interrupted one leaves no file.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from helpers.support.atari_frames import FlickerFreeScreen, atari_step_rate, is_atari
from helpers.support.checks import is_real_number
from helpers.support.encoder import VideoEncoder, keep_for_later, spare_encoder

PARTIAL_SUFFIX = ".partial"


class VideoEncodingError(RuntimeError):
    """Raised when the encoder could not finish a video (disk full, a size limit, killed)."""


def video_frame(frame: Any, float_scale: float | None = None) -> np.ndarray:
    """`frame` as a ``uint8`` array ``(height, width, 3)``, or a clear error; float colours
    are read on `float_scale` (1.0 or 255.0; None: from this frame, `colour_scale`)."""
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
    """A float frame's scale: 1.0 (colours in 0..1), 255.0, or None when all black."""
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
    """`fps` as a Fraction (up to 1001ths, as in 30000/1001), or a clear error."""
    if not is_real_number(fps):
        raise TypeError(f"fps must be a number of frames per second, such as 30; got {fps!r}.")
    if not math.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be a positive number of frames per second; got {fps!r}.")
    rate = Fraction(fps if isinstance(fps, numbers.Rational) else float(fps))
    return rate.limit_denominator(1001) or Fraction(1, 1001)


def _is_complete_mp4(path: Path) -> bool:
    """Whether `path` starts as a finished mp4: ``ftyp``, then ``moov`` (+faststart)."""
    try:
        with open(path, "rb") as file:
            head = file.read(8)
            if len(head) < 8 or head[4:8] != b"ftyp":
                return False
            file.seek(int.from_bytes(head[:4], "big"))
            return file.read(8)[4:8] == b"moov"
    except OSError:
        return False


class EpisodeRecorder:
    """Write RGB frames of one size to an mp4 (H.264, yuv420p) as they come.

    The file gets its name only when `close` finishes it whole (else `VideoEncodingError`);
    `discard`, or an exception in a ``with`` block, removes it. Odd sizes are padded by one
    black pixel (yuv420p needs even ones). `encoder`: a `VideoEncoder` to share between
    videos (None: one of its own, kept for later when the video is done).

    >>> import tempfile, pathlib
    >>> with EpisodeRecorder(pathlib.Path(tempfile.mkdtemp()) / "demo.mp4", fps=30) as rec:
    ...     rec.add_frame(np.full((64, 48, 3), 128, dtype=np.uint8))
    >>> rec.frames, rec.path.exists()
    (1, True)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fps: float | Fraction,
        encoder: VideoEncoder | None = None,
    ) -> None:
        self.path = _video_path(path)
        # a folder of its own, which goes with the half-written file
        self.partial_path = self.path.with_name(self.path.name + PARTIAL_SUFFIX)
        self.partial_file = self.partial_path / self.path.name
        self.fps = frame_rate(fps)
        self.frames = 0
        self.state = "recording"  # then "finished" or "discarded"
        self._own_encoder = encoder is None
        self._encoder = encoder or spare_encoder()
        self._started = False  # whether the encoder holds this video (from its first frame)
        self._shape: tuple[int, ...] | None = None  # the shape of the frames as given
        self._float_scale: float | None = None  # float colours: to 1 or to 255, from frame 1
        self._forget = weakref.finalize(self, lambda: None)  # (see _prepare)

    def add_frame(self, frame: Any) -> None:
        """Append one frame (``uint8``, ``(height, width, 3)``)."""
        if self.state != "recording":
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
        ):
            frame = self._prepare(frame)
        try:
            self._send(frame)
        except OSError as err:  # the encoder stopped
            self._fail(f"the encoder stopped ({str(err).splitlines()[0]})")
        self.frames += 1

    def _send(self, frame: np.ndarray) -> None:
        self._encoder.send(frame)

    def _prepare(self, frame: Any) -> np.ndarray:
        """Check and convert a frame; give the encoder the video with the first one."""
        if self._float_scale is None and np.issubdtype(np.asarray(frame).dtype, np.floating):
            self._float_scale = colour_scale(np.asarray(frame))
        array = video_frame(frame, self._float_scale)
        if self._shape is None:
            self._shape = array.shape
            self.partial_path.mkdir(exist_ok=True)
            height, width = array.shape[0] + array.shape[0] % 2, array.shape[1] + array.shape[1] % 2
            self._started = True
            try:
                self._encoder.open(self.partial_file, height, width, self.fps)
            except OSError as err:
                self._fail(f"the encoder did not start ({str(err).splitlines()[0]})")
            # a recorder lost before close or discard leaves no file
            self._forget = weakref.finalize(self, _abandon, self._encoder, self.partial_path)
        elif array.shape != self._shape:
            raise ValueError(
                f"Every frame of a video must have the same size: the first was "
                f"{self._shape[0]}x{self._shape[1]} (height x width), this one is "
                f"{array.shape[0]}x{array.shape[1]}. Make the environment's render() "
                f"return frames of one size, or pass record_video=False."
            )
        height, width = array.shape[:2]
        if height % 2 or width % 2:
            array = np.pad(array, ((0, height % 2), (0, width % 2), (0, 0)))
        return array

    def _fail(self, what: str) -> None:
        """Stop the encoder, remove the broken file, and raise a clear error."""
        self.discard()
        fix = "free some disk space or pass record_video=False"
        if "No module named 'av'" in what:
            fix = "install PyAV (pip install -r requirements.txt), or pass record_video=False"
        elif shutil.disk_usage(self.path.parent).free < 1_000_000:
            what += ": the disk is full"
        raise VideoEncodingError(
            f"Could not record {self.path.name}: {what}. Earlier videos are complete; {fix}."
        )

    def close(self) -> Path | None:
        """Finish the file and name it; return its path (None: no frame). May raise
        `VideoEncodingError`."""
        if self.state != "recording":
            return self.path if self.state == "finished" else None
        self._forget.detach()
        if not self._started:
            self.state = "discarded"
            return None
        try:
            self._encoder.finish()  # when this returns, the encoder has closed the file
        except OSError as err:
            self._fail(f"the encoder failed ({str(err).splitlines()[0]})")
        self._started = False  # done with the encoder: it may serve another video
        if self._own_encoder:
            keep_for_later(self._encoder)
        if not _is_complete_mp4(self.partial_file):
            self._fail("the encoder left an incomplete file")
        os.replace(self.partial_file, self.path)
        shutil.rmtree(self.partial_path, ignore_errors=True)
        self.state = "finished"
        return self.path

    def discard(self) -> None:
        """Stop writing and delete the half-written file."""
        self._forget.detach()
        started, self._started = self._started, False
        if self.state != "recording":
            return  # finished (its encoder may serve another video now) or discarded
        self.state = "discarded"
        if started:  # the encoder holds this video
            _abandon(self._encoder, self.partial_path)
        else:
            shutil.rmtree(self.partial_path, ignore_errors=True)

    def __enter__(self) -> EpisodeRecorder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()


def _abandon(encoder: VideoEncoder, partial_path: Path) -> None:
    """What a recorder lost before `close` leaves behind: no encoder process, no file."""
    try:
        encoder.stop()  # a video half-sent cannot be taken back; the next one restarts it
    finally:
        shutil.rmtree(partial_path, ignore_errors=True)


def new_run_folder(video_dir: str | os.PathLike[str], label: str) -> Path:
    """A new folder ``<date>_<time>_<label>_<random>`` of `video_dir` (`tempfile.mkdtemp`:
    never the same twice), as `video_dir` is written (relative if it is)."""
    try:
        base = Path(video_dir).expanduser()
    except RuntimeError as err:  # "~someone" who is not known on this machine
        raise ValueError(
            f"Cannot find the home folder in video_dir={str(video_dir)!r} ({err}). "
            f"Write the folder's full path, or use '~/...' for your own home."
        ) from None
    name = re.sub(r"[^A-Za-z0-9._+-]+", "-", label).strip("-.") or "run"
    if base.exists() and not base.is_dir():
        raise NotADirectoryError(
            f"video_dir={str(video_dir)!r} is a file, not a folder: videos are written in a "
            f"folder. Pass a folder name such as 'gym-results', or record_video=False."
        )
    try:
        base.mkdir(parents=True, exist_ok=True)
        folder = tempfile.mkdtemp(prefix=f"{time.strftime('%Y-%m-%d_%H%M%S')}_{name}_", dir=base)
        # under video_dir as written: Python 3.12+ makes mkdtemp's path absolute, 3.11 not
        return base / Path(folder).name
    except OSError as err:
        raise PermissionError(
            f"Cannot write videos to {str(base)!r} ({err.strerror or err}). "
            f"Pass another video_dir, or record_video=False to record none."
        ) from err


def _frame_rate(env: gym.Env) -> Fraction:
    """One frame per step at the game's real speed: Atari's `atari_step_rate` (its
    ``render_fps`` is wrong), else ``metadata["render_fps"]`` (30 if none)."""
    if is_atari(env):
        return atari_step_rate(env)
    try:
        return frame_rate(env.metadata.get("render_fps"))
    except (TypeError, ValueError):  # none, or not a positive number
        return Fraction(30)


class _RenderedFrames:
    """The frames of any environment: what ``render()`` returns, checked."""

    def __init__(self, env: gym.Env) -> None:
        self.env = env

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

    start = frame

    def stop(self) -> None:
        pass


class Camera(gym.Wrapper):
    """Films the episodes `schedule(episode)` picks (counted by resets from 0; None: none),
    ``episode-000000.mp4`` and on, in a new folder of `video_dir` (`new_run_folder`).

    Unlike Gymnasium's ``RecordVideo``, a video is complete when `finish_video` returns.
    ``close`` discards a half-filmed episode and removes the folder if left empty.

    >>> env = Camera(gym.make("CartPole-v1", render_mode="rgb_array"),
    ...              lambda episode: True, tempfile.mkdtemp(), label="CartPole-v1")
    >>> _ = env.reset(seed=0)
    >>> for _ in range(3):
    ...     _ = env.step(0)
    >>> video = env.finish_video()
    >>> video.name, env.fps
    ('episode-000000.mp4', Fraction(50, 1))
    >>> env.close()
    """

    def __init__(
        self,
        env: gym.Env,
        schedule: Callable[[int], bool] | None,
        video_dir: Any,
        label: str = "run",
    ) -> None:
        super().__init__(env)
        self.schedule = schedule or (lambda episode: False)
        self.episode = -1  # the episode being played: none yet
        self.recorder: EpisodeRecorder | None = None
        self.folder: Path | None = None
        self.fps = Fraction(30)
        if schedule is None:  # films nothing: its steps go straight to the environment
            self.step = env.step
            return
        if env.render_mode != "rgb_array":
            raise ValueError(
                f"Cannot record video: the environment was made with render_mode="
                f"{env.render_mode!r}, and a video needs render_mode='rgb_array'. Make it with "
                f"gym.make(..., render_mode='rgb_array'), pass its id instead, "
                f"or pass record_video=False."
            )
        if not isinstance(video_dir, (str, os.PathLike)):
            raise TypeError(
                f"video_dir must be a folder name such as 'gym-results', got {video_dir!r}. "
                f"To record no video, pass record_video=False."
            )
        self.fps = _frame_rate(env)
        self.screen = FlickerFreeScreen(env) if is_atari(env) else _RenderedFrames(env)
        self.encoder = spare_encoder()  # one process for all of this run's videos
        self.folder = new_run_folder(video_dir, label)

    def reset(self, **kwargs: Any) -> Any:
        if self.recorder is not None:  # a new episode before this one's video was finished
            self.finish_video()
        returned = self.env.reset(**kwargs)
        self.episode += 1
        if self.schedule(self.episode):
            path = self.folder / f"episode-{self.episode:06d}.mp4"
            self.recorder = EpisodeRecorder(path, self.fps, self.encoder)
            self.recorder.add_frame(self.screen.start())
        return returned

    def step(self, action: Any) -> Any:
        returned = self.env.step(action)
        if self.recorder is not None:
            self.recorder.add_frame(self.screen.frame())
        return returned

    def finish_video(self) -> Path | None:
        """Complete this episode's video; return its path (None if not filmed)."""
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return None
        self.screen.stop()
        return recorder.close()

    def close(self) -> None:
        """Discard a half-filmed episode, then close; an interrupt waits until the end."""
        interrupted: BaseException | None = None
        for _ in range(3):
            try:
                self._clean()
                break
            except KeyboardInterrupt as err:
                interrupted = err
        try:
            super().close()
        finally:
            if interrupted is not None:
                raise interrupted

    def _clean(self) -> None:
        if self.folder is None:
            return
        self.screen.stop()
        if self.recorder is not None:
            self.recorder.discard()
            self.recorder = None
        keep_for_later(self.encoder)
        # only this run writes here: a .partial left was lost to an interrupt
        for path in self.folder.glob("*" + PARTIAL_SUFFIX):
            shutil.rmtree(path, ignore_errors=True)
        try:
            self.folder.rmdir()  # only if no video is in it
        except OSError:
            pass
