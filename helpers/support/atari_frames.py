"""What a person playing an Atari game sees: every sprite, at the game's real speed.

Many games draw some sprites on every other emulator frame only (Space Invaders' bombs),
and with a frame skip of 4 the last frame of a step always has the same parity.
`FlickerFreeScreen` keeps the brighter of a step's last two frames, pixel by pixel (as
``AtariPreprocessing`` does); it only reads the screen: the game stays the same.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import gymnasium as gym
import numpy as np

CONSOLE_FRAMES_PER_SECOND = 60  # as the emulator runs an Atari 2600


def is_atari(env: gym.Env) -> bool:
    """Whether `env` (under any wrappers) is one of ale-py's Atari games."""
    try:
        from ale_py.env import AtariEnv
    except ImportError:  # pragma: no cover - ale-py is in the requirements
        return False
    return isinstance(env.unwrapped, AtariEnv)


def _frameskip(env: gym.Env) -> int | tuple[int, int]:
    """The emulator frames one step runs: a number, or a range ``(low, high)``, high excluded."""
    frameskip = getattr(env.unwrapped, "_frameskip", None)
    if frameskip is None and env.spec is not None:
        frameskip = env.spec.kwargs.get("frameskip")
    if isinstance(frameskip, tuple) and len(frameskip) == 2:
        return int(frameskip[0]), int(frameskip[1])
    return int(frameskip) if isinstance(frameskip, (int, np.integer)) and frameskip > 0 else 4


def _repeats(env: gym.Env) -> int:
    """How many times wrappers (``AtariPreprocessing``, ``MaxAndSkipObservation``) repeat a step."""
    repeats = 1
    while isinstance(env, gym.Wrapper):
        if isinstance(env, gym.wrappers.AtariPreprocessing):
            repeats *= int(env.frame_skip)
        elif isinstance(env, gym.wrappers.MaxAndSkipObservation):
            repeats *= int(env._skip)
        env = env.env
    return repeats


def atari_step_rate(env: gym.Env) -> Fraction:
    """Steps per second of real play: 60 frames a second over the (mean) frame skip and the
    wrappers' repeats (``ALE/SpaceInvaders-v5``: 15, not its ``render_fps`` of 30).

    >>> from helpers.support.environments import make_env
    >>> atari_step_rate(make_env("ALE/SpaceInvaders-v5", frameskip=(2, 5)))
    Fraction(20, 1)
    """
    frameskip = _frameskip(env)
    if isinstance(frameskip, tuple):
        mean = Fraction(frameskip[0] + frameskip[1] - 1, 2)
    else:
        mean = Fraction(frameskip)
    return CONSOLE_FRAMES_PER_SECOND / (mean * _repeats(env))


class _WatchedEmulator:
    """An AtariEnv's ``ale`` while filming: tells the screen of every emulator frame and
    of the screens the observations read."""

    def __init__(self, ale: Any, screen: FlickerFreeScreen) -> None:
        self._ale, self._screen = ale, screen

    def act(self, *args: Any, **kwargs: Any) -> Any:
        reward = self._ale.act(*args, **kwargs)
        self._screen._after_act()
        return reward

    def getScreenRGB(self, *args: Any) -> Any:  # noqa: N802 - the emulator's own name
        screen = self._ale.getScreenRGB(*args)
        if not args:  # a new array, the observation: only read, never changed
            self._screen.observed = screen
        return screen

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ale, name)


class FlickerFreeScreen:
    """The screen after each step as a player sees it: `start` after a reset, `frame` after
    each step, then `stop`. The arrays returned are reused: copy one to keep it."""

    def __init__(self, env: gym.Env) -> None:
        self.atari = env.unwrapped
        self.ale = self.atari.ale
        height, width = self.ale.getScreenDims()
        self.previous = np.zeros((height, width, 3), dtype=np.uint8)
        self.last = np.zeros((height, width, 3), dtype=np.uint8)
        self.shown = np.zeros((height, width, 3), dtype=np.uint8)
        frameskip = _frameskip(env)
        self.every = frameskip if isinstance(frameskip, int) and frameskip >= 2 else None
        self.frames = 0  # emulator frames since `start`
        self.observed: np.ndarray | None = None  # the screen as the observation read it

    def _after_act(self) -> None:
        self.frames += 1
        self.observed = None
        if self.every is None:  # keep the last two frames
            self.previous, self.last = self.last, self.previous
            self.ale.getScreenRGB(self.last)
        elif self.frames % self.every == self.every - 1:  # the second-to-last of a step
            self.ale.getScreenRGB(self.previous)

    def start(self) -> np.ndarray:
        """Start watching (call it after a reset); return the first frame."""
        self.atari.ale = _WatchedEmulator(self.ale, self)
        self.frames = 0
        self.ale.getScreenRGB(self.last)
        self.previous[...] = self.last
        return self.last

    def frame(self) -> np.ndarray:
        """The picture after a step: the maximum of its last two emulator frames."""
        if self.every is None:
            return np.maximum(self.previous, self.last, out=self.shown)
        last = self.observed  # the observation of an "rgb" game is the last screen
        if last is None:
            self.ale.getScreenRGB(self.last)
            last = self.last
        return np.maximum(self.previous, last, out=self.shown)

    def stop(self) -> None:
        """Stop watching: the environment gets its own emulator back."""
        if isinstance(self.atari.ale, _WatchedEmulator):
            self.atari.ale = self.ale
