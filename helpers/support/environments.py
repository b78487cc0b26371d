"""Making environments by id, with the Atari games ready and clear errors.

- `make_env`: `gymnasium.make` with ale-py's games registered, the emulator's
  start-up banner silenced, and an unknown id answered with the closest known ids.
- `register_atari`: register ale-py's environments once (called by `make_env`).
- `quiet_headless_rendering`: keep pygame quiet on a machine without a screen.
- `has_box2d`: whether the Box2D physics engine (LunarLander, BipedalWalker) is installed.

>>> env = make_env("CartPole-v1")
>>> env.action_space
Discrete(2)
>>> env.close()
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import sys
from typing import Any

import gymnasium as gym

__all__ = [
    "make_env",
    "register_atari",
    "quiet_headless_rendering",
    "has_box2d",
    "UnknownEnvironmentError",
]

_atari_registered = False


class UnknownEnvironmentError(ValueError):
    """Raised for an environment id that Gymnasium does not know."""


def register_atari() -> None:
    """Register ale-py's Atari games (``ALE/...`` ids) with Gymnasium, once.

    The emulator prints a banner on stderr whenever it starts; we lower its log
    level to errors so that notebook outputs stay the same from run to run.

    >>> register_atari()
    >>> "ALE/SpaceInvaders-v5" in gym.registry
    True
    """
    global _atari_registered
    if _atari_registered:
        return
    import ale_py

    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
    gym.register_envs(ale_py)
    _atari_registered = True


# pygame's SDL, started by the first frame a classic-control or Box2D environment draws,
# would otherwise take over SIGTERM (and SIGINT where Python has none): `kill <pid>` or
# `timeout` then no longer stop a job. With this, the signals keep Python's meaning.
os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")


def quiet_headless_rendering() -> None:
    """On Linux without a screen (Binder, a server, CI), give pygame no video device.

    The classic-control and Box2D environments draw their frames with pygame even
    in ``render_mode="rgb_array"``; on a machine without a screen, SDL then
    complains on stderr ("XDG_RUNTIME_DIR is invalid"), which would clutter the
    notebooks. SDL's dummy video driver draws the same frames, silently. A
    machine with a screen keeps its windows for ``render_mode="human"``.
    """
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if sys.platform.startswith("linux") and headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")


def has_box2d() -> bool:
    """Whether the Box2D physics engine is installed (LunarLander needs it).

    A machine without a ready-made Box2D for its Python (a new Python release,
    say) may lack it; the notebooks that need it check this first and skip their
    cells there.

    >>> isinstance(has_box2d(), bool)
    True
    """
    return importlib.util.find_spec("Box2D") is not None


def closest_ids(env_id: str, count: int = 3) -> list[str]:
    """The registered ids that look most like `env_id`.

    >>> closest_ids("SpaceInvader-v5")[0]
    'ALE/SpaceInvaders-v5'
    """
    register_atari()
    known = list(gym.registry)
    by_lower = {name.lower(): name for name in known}
    wanted = env_id.lower()
    # Compare against the ids with and without their "ALE/" namespace, so that
    # the old "SpaceInvaders-v0" finds the new "ALE/SpaceInvaders-v5".
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
    """Make the environment `env_id`, as `gymnasium.make(env_id, **kwargs)` does.

    Unlike a bare `gymnasium.make`, the Atari games need no extra import, and an
    unknown id raises `UnknownEnvironmentError` naming the closest known ids.

    >>> env = make_env("ALE/SpaceInvaders-v5")
    >>> env.observation_space.shape
    (210, 160, 3)
    >>> env.close()
    """
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
        # Deprecated versions ("CartPole-v0" once v1 exists) and similar.
        raise UnknownEnvironmentError(f"Cannot make {env_id!r}: {err}") from err
