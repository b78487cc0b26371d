"""Filming a job's episodes, and showing the videos inline in a notebook.

- `Camera`: films the episodes of a job that a schedule picks, one mp4 each (`run_job` uses it).
- `new_run_folder`: a new folder of its own for one run's videos, with a readable name.
- `show_video`: an inline ``<video>`` that carries the mp4 as a base64 data URI.
- `VideoTooLargeError`: raised instead of embedding a file that would freeze the browser.

The mp4 files themselves are written by `helpers.recorder.EpisodeRecorder`
(also importable from here), the Atari screens taken by `helpers.atari_frames`.

>>> import tempfile
>>> env = gym.make("CartPole-v1", render_mode="rgb_array")
>>> result_folder = tempfile.mkdtemp()
>>> camera = Camera(env, lambda episode: True, result_folder, label="CartPole-v1")
>>> _ = env.reset(seed=0)
>>> camera.start(episode=0)
>>> camera.film()
>>> show_video(camera.finish()).data[:26]
'<video src="data:video/mp4'
>>> env.close()
"""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import gymnasium as gym
from IPython.display import HTML

from helpers.atari_frames import FlickerFreeScreen, atari_step_rate, is_atari
from helpers.checks import is_real_number
from helpers.recorder import (
    ENCODER_OPTIONS,
    PARTIAL_SUFFIX,
    EpisodeRecorder,
    VideoEncodingError,
    frame_rate,
    video_frame,
)

__all__ = [
    "Camera",
    "new_run_folder",
    "show_video",
    "VideoTooLargeError",
    # written by helpers.recorder, importable from here too
    "EpisodeRecorder",
    "VideoEncodingError",
    "video_frame",
    "PARTIAL_SUFFIX",
    "ENCODER_OPTIONS",
]


class VideoTooLargeError(ValueError):
    """Raised by `show_video` for a file too large to embed in a notebook."""


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
    try:
        base = Path(video_dir).expanduser()
    except RuntimeError as err:  # "~someone" who is not known on this machine
        raise ValueError(
            f"Cannot find the home folder in video_dir={str(video_dir)!r} ({err}). "
            f"Write the folder's full path, or use '~/...' for your own home."
        ) from None
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
    try:
        return frame_rate(env.metadata.get("render_fps"))
    except (TypeError, ValueError):  # none, or not a positive number
        return Fraction(30)


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
    `close` ends filming: it throws away a half-filmed episode (every ``.partial``
    file), keeps every finished video, and removes the folder if it is left empty. With
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
    >>> camera.close()
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

    def close(self) -> None:
        """Stop filming: discard a half-filmed episode; finished videos stay.

        An interrupt that comes in the middle of this cleaning does not stop it:
        it is finished first, then the interrupt goes on.
        """
        if self.folder is None:
            return
        interrupted: BaseException | None = None
        for _ in range(3):
            try:
                self._clean()
                break
            except KeyboardInterrupt as err:
                interrupted = err
        if interrupted is not None:
            raise interrupted

    def _clean(self) -> None:
        self.screen.stop()
        if self.recorder is not None:
            self.recorder.discard()
            self.recorder = None
        # Only this run writes here: a .partial file left is one whose recorder was
        # lost to an interrupt. A .mp4 is always whole (renamed only once checked).
        for path in self.folder.glob("*" + PARTIAL_SUFFIX):  # type: ignore[union-attr]
            path.unlink(missing_ok=True)
        try:
            self.folder.rmdir()  # type: ignore[union-attr]  # only if no video is in it
        except OSError:
            pass


def _check_video_file(path: Any) -> Path:
    """The path of a finished mp4 to show, or a clear error.

    An episode's dict (one of ``result.episodes``) stands for its ``"video"``,
    and a path given as bytes is decoded as the operating system does.
    """
    if isinstance(path, Mapping):
        if "video" not in path:
            raise TypeError(
                f"show_video got a dict without a 'video' key (its keys: "
                f"{', '.join(map(repr, path))}). Pass the path of an mp4 file, such as "
                f'result.videos[0] or an episode\'s episode["video"].'
            )
        path = path["video"]
    if path is None:
        raise FileNotFoundError(
            "There is no video to show (the path is None): that episode was not recorded. "
            "Pass record_video=True to run_job to record every episode."
        )
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str | os.PathLike):
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
    path: str | bytes | os.PathLike[str] | Mapping[str, Any] | Iterable[Any] | None,
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
    An episode's dict (such as ``result.episodes[0]``) shows that episode's video.
    `width` is in pixels; a video larger than `max_megabytes` is refused.

    >>> import numpy as np, tempfile, pathlib
    >>> clip = pathlib.Path(tempfile.mkdtemp()) / "clip.mp4"
    >>> with EpisodeRecorder(clip, fps=10) as recorder:
    ...     recorder.add_frame(np.zeros((16, 16, 3), dtype=np.uint8))
    >>> show_video(clip, width=320).data[:40]
    '<video src="data:video/mp4;base64,AAAAIG'
    """
    if not is_real_number(width) or not 1 <= width < float("inf"):
        raise TypeError(f"width must be a number of pixels, such as 480; got {width!r}.")
    if not is_real_number(max_megabytes) or not max_megabytes > 0:
        raise TypeError(
            f"max_megabytes must be a positive number, such as 20 (the default); "
            f"got {max_megabytes!r}."
        )
    if path is not None and not isinstance(path, str | bytes | os.PathLike | Mapping):
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
