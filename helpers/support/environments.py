"""Making environments by id, with the Atari games ready and clear errors."""

from __future__ import annotations

import difflib
import functools
import importlib.util
import os
import sys
from typing import Any

import gymnasium as gym


class UnknownEnvironmentError(ValueError):
    """Raised for an environment id that Gymnasium does not know."""


@functools.cache
def register_atari() -> None:
    """Register ale-py's games (``ALE/...`` ids) once, without the emulator's banner."""
    import ale_py

    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
    gym.register_envs(ale_py)


def quiet_headless_rendering() -> None:
    """On Linux without a screen, give pygame SDL's dummy video driver: the same frames,
    without SDL's complaints on stderr. And keep SDL's hands off SIGTERM (and SIGINT where
    Python has none), which it would take at the first frame drawn: `kill <pid>` or
    `timeout` would no longer stop a job."""
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if sys.platform.startswith("linux") and headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")


def has_box2d() -> bool:
    """Whether the Box2D physics engine is installed (LunarLander needs it)."""
    return importlib.util.find_spec("Box2D") is not None


def closest_ids(env_id: str, count: int = 3) -> list[str]:
    """The registered ids that look most like `env_id`."""
    register_atari()
    known = list(gym.registry)
    by_lower = {name.lower(): name for name in known}
    wanted = env_id.lower()
    # with and without "ALE/": the old "SpaceInvaders-v0" finds "ALE/SpaceInvaders-v5"
    candidates = {name.split("/")[-1]: full for name, full in by_lower.items()}
    candidates.update(by_lower)
    matches = difflib.get_close_matches(wanted, list(candidates), n=count * 3, cutoff=0.5)
    found: list[str] = []
    for match in matches:
        full = candidates[match]
        if full not in found:
            found.append(full)
    return found[:count]


def make_env(env_id: str, **kwargs: Any) -> gym.Env:
    """`gymnasium.make(env_id, **kwargs)` with the Atari games registered, and an unknown id
    answered by `UnknownEnvironmentError` naming the closest known ids."""
    if not isinstance(env_id, str):
        raise TypeError(
            f"env must be an environment id such as 'ALE/SpaceInvaders-v5' or a "
            f"gymnasium.Env, not {type(env_id).__name__}."
        )
    register_atari()
    quiet_headless_rendering()
    try:
        return gym.make(env_id, **kwargs)
    except (gym.error.NameNotFound, gym.error.NamespaceNotFound, gym.error.VersionNotFound) as err:
        suggestions = closest_ids(env_id)
        hint = f" Did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        raise UnknownEnvironmentError(
            f"Unknown environment id {env_id!r}.{hint} "
            f"`gymnasium.pprint_registry()` lists every known id."
        ) from err
    except gym.error.Error as err:
        raise UnknownEnvironmentError(f"Cannot make {env_id!r}: {err}") from err
