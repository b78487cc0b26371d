"""Recording episodes to mp4 and showing them inline in a notebook.

- `EpisodeRecorder`: streams frames into an H.264 mp4 while an episode runs.
- `Camera`: films the episodes of a job that a schedule picks, one mp4 each (`run_job` uses it).
- `show_video`: an inline ``<video>`` that carries the mp4 as a base64 data URI.
- `VideoTooLargeError`: raised instead of embedding a file that would freeze the browser.

Frames go straight to an ffmpeg process (imageio-ffmpeg), so an episode is never
held in memory, and the encoding runs beside the environment on another core.
The file is written under a temporary name and renamed only once complete, so a
video you find in the folder always plays.

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
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import gymnasium as gym
import imageio_ffmpeg
import numpy as np
from IPython.display import HTML

__all__ = ["EpisodeRecorder", "Camera", "show_video", "VideoTooLargeError", "PARTIAL_SUFFIX"]

PARTIAL_SUFFIX = ".partial"
"""Added to a video's name while it is being written."""


class VideoTooLargeError(ValueError):
    """Raised by `show_video` for a file too large to embed in a notebook."""


class EpisodeRecorder:
    """Write RGB frames to an mp4 (H.264, yuv420p) as they come.

    The file appears under its final name only when `close` finishes it;
    `discard` (or leaving a ``with`` block by an exception) removes the
    half-written file instead.

    Frames must be ``uint8`` arrays of shape ``(height, width, 3)``, all the
    same size. An odd width or height is padded by one black pixel, since
    yuv420p needs even sizes.
    """

    def __init__(self, path: str | os.PathLike[str], fps: float) -> None:
        self.path = Path(path)
        self.partial_path = self.path.with_name(self.path.name + PARTIAL_SUFFIX)
        self.fps = fps
        self.frames = 0
        self._writer: Any = None
        self._size: tuple[int, int] | None = None

    def add_frame(self, frame: np.ndarray) -> None:
        """Append one frame (``uint8``, ``(height, width, 3)``)."""
        frame = np.asarray(frame)
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(
                f"A video frame must be an RGB image of shape (height, width, 3), "
                f"got shape {frame.shape}. Make the environment with render_mode='rgb_array'."
            )
        height, width = frame.shape[:2]
        if height % 2 or width % 2:
            frame = np.pad(frame, ((0, height % 2), (0, width % 2), (0, 0)))
        if self._writer is None:
            self._start(frame.shape[1], frame.shape[0])
        elif (frame.shape[1], frame.shape[0]) != self._size:
            raise ValueError(
                f"Every frame of a video must have the same size: the first was "
                f"{self._size[1]}x{self._size[0]} (height x width), this one is "
                f"{frame.shape[0]}x{frame.shape[1]}."
            )
        self._writer.send(np.ascontiguousarray(frame, dtype=np.uint8))
        self.frames += 1

    def _start(self, width: int, height: int) -> None:
        self._size = (width, height)
        self._writer = imageio_ffmpeg.write_frames(
            str(self.partial_path),
            size=(width, height),
            fps=self.fps,
            codec="libx264",
            pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p",
            macro_block_size=1,
            ffmpeg_log_level="error",
            # "-f mp4": the temporary name does not end in .mp4. "+faststart": the index
            # goes first, so browsers start playing at once. "veryfast" on one thread
            # keeps up with the game on the other core and gives small files.
            output_params=[
                "-f",
                "mp4",
                "-movflags",
                "+faststart",
                "-preset",
                "veryfast",
                "-threads",
                "1",
            ],
        )
        self._writer.send(None)  # start the ffmpeg process

    def close(self) -> Path | None:
        """Finish the file and give it its final name; returns that path.

        Returns ``None`` when no frame was ever added (no file is written).
        """
        if self._writer is None:
            return None
        writer, self._writer = self._writer, None
        writer.close()
        os.replace(self.partial_path, self.path)
        return self.path

    def discard(self) -> None:
        """Stop writing and delete the half-written file."""
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - the file is being thrown away anyway
                pass
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


def _prepare_video_dir(video_dir: str | os.PathLike[str]) -> Path:
    """Create `video_dir` and make sure we can write in it, before the job starts."""
    folder = Path(video_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as err:
        raise PermissionError(
            f"Cannot write videos to {str(folder)!r} ({err.strerror or err}). "
            f"Pass another video_dir, or record_video=False to record none."
        ) from err
    return folder


def _check_can_render(env: gym.Env) -> float:
    """Return the env's frame rate; raise a clear error if it cannot give frames."""
    if env.render_mode != "rgb_array":
        raise ValueError(
            f"Cannot record video: the environment was made with render_mode="
            f"{env.render_mode!r}, and a video needs render_mode='rgb_array'. Make it with "
            f"gym.make(..., render_mode='rgb_array'), pass its id instead, "
            f"or pass record_video=False."
        )
    return float(env.metadata.get("render_fps") or 30)


class Camera:
    """Films the episodes of a job that `schedule` picks: one mp4 per episode.

    `start` opens an episode's video with its first frame (after ``reset``), `film`
    adds the frame of a step, `finish` completes the video and returns its path,
    `discard` throws a half-filmed episode away. With ``schedule=None`` it films
    nothing and every method does nothing.

    >>> import tempfile
    >>> env = gym.make("CartPole-v1", render_mode="rgb_array")
    >>> camera = Camera(env, schedule=lambda episode: True, video_dir=tempfile.mkdtemp())
    >>> _ = env.reset(seed=0)
    >>> camera.start(episode=0)
    >>> for _ in range(3):
    ...     _ = env.step(0)
    ...     camera.film()
    >>> camera.finish().name
    'episode-000000.mp4'
    >>> env.close()
    """

    def __init__(
        self,
        env: gym.Env,
        schedule: Callable[[int], bool] | None,
        video_dir: str | os.PathLike[str],
    ) -> None:
        self.env, self.schedule = env, schedule
        self.recorder: EpisodeRecorder | None = None
        if schedule is not None:
            self.fps = _check_can_render(env)
            self.folder = _prepare_video_dir(video_dir)

    def start(self, episode: int) -> None:
        """Start filming `episode` if the schedule picks it."""
        if self.schedule is None or not self.schedule(episode):
            return
        self.recorder = EpisodeRecorder(self.folder / f"episode-{episode:06d}.mp4", fps=self.fps)
        self.recorder.add_frame(self.env.render())

    def film(self) -> None:
        """Add the frame of the step just taken (if this episode is filmed)."""
        if self.recorder is not None:
            self.recorder.add_frame(self.env.render())

    def finish(self) -> Path | None:
        """Complete this episode's video; return its path (None if not filmed)."""
        recorder, self.recorder = self.recorder, None
        return recorder.close() if recorder is not None else None

    def discard(self) -> None:
        """Throw away the video of the episode being filmed, if any."""
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            recorder.discard()


def show_video(
    path: str | os.PathLike[str] | None,
    width: int = 480,
    *,
    max_megabytes: float = 20.0,
) -> HTML:
    """Show an mp4 inline in a notebook, embedded in the page as base64.

    The data URI sits on the ``<video>`` element's own ``src``: JupyterLab keeps
    that attribute even in a notebook that is opened fresh from disk (untrusted),
    where it strips the ``src`` of a ``<source>`` child. So the video plays for
    whoever opens the saved notebook, without running it again.

    >>> import tempfile, pathlib
    >>> clip = pathlib.Path(tempfile.mkdtemp()) / "clip.mp4"
    >>> _ = clip.write_bytes(b"not really a video")
    >>> show_video(clip, width=320).data[:40]
    '<video src="data:video/mp4;base64,bm90IH'
    """
    if path is None:
        raise FileNotFoundError(
            "There is no video to show (the path is None): that episode was not recorded. "
            "Pass record_video=True to run_job to record every episode."
        )
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No video file at {str(path)!r}. Check the path, "
            f"or run the cell that records it first."
        )
    megabytes = path.stat().st_size / 1e6
    if megabytes > max_megabytes:
        raise VideoTooLargeError(
            f"{path.name} is {megabytes:.1f} MB: embedded in the notebook it would make the page "
            f"slow or freeze the browser. Open the file itself, record a shorter episode, or pass "
            f"max_megabytes={int(megabytes) + 1} if you really want it inline."
        )
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return HTML(
        f'<video src="data:video/mp4;base64,{encoded}" width="{int(width)}" '
        f"controls loop muted playsinline></video>"
    )
