"""The files of the trained agents shipped in ``helpers/trained/``: which game has one,
the record the training script saved with it (`trained_agent_record`), the shipped
network agent (`load_shipped_network`), and the checks of a `RamPolicy`'s arrays."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import numpy as np

# Environment id -> the stem of its files in helpers/trained/ (.npz parameters, .json record).
SHIPPED = {"ALE/SpaceInvaders-v5": "space_invaders", "LunarLander-v3": "LunarLander-v3"}


class NoTrainedAgentError(ValueError):
    """Raised by `load_trained_agent` for an environment with no shipped agent."""


def shipped_stem(env_id: str) -> str:
    if not isinstance(env_id, str):
        raise TypeError(
            f"env_id must be an environment id such as {next(iter(SHIPPED))!r}, "
            f"got {type(env_id).__name__} {env_id!r}."
        )
    if env_id not in SHIPPED:
        raise NoTrainedAgentError(
            f"No trained agent ships for {env_id!r}; there is one for: {', '.join(SHIPPED)}. "
            "Train your own with helpers.robot_training.train_robot."
        )
    return SHIPPED[env_id]


def trained_agent_record(env_id: str, training_seed: int | None = None) -> dict[str, Any]:
    """What the training script saved with the agent (command, seed, versions, scores);
    with `training_seed`, the record of a run with another seed.

    >>> trained_agent_record("ALE/SpaceInvaders-v5")["command"]
    'python scripts/train_space_invaders.py --seed 0'
    >>> trained_agent_record("ALE/SpaceInvaders-v5", training_seed=1)["settings"]["seed"]
    1
    """
    folder = resources.files("helpers") / "trained"
    stem = shipped_stem(env_id)
    if training_seed is None:
        return json.loads((folder / f"{stem}.json").read_text())
    path = folder / f"{stem}_seed{training_seed}.json"
    if not path.is_file():
        kept = sorted(p.name for p in folder.iterdir() if p.name.startswith(f"{stem}_seed"))
        raise NoTrainedAgentError(
            f"No record of training seed {training_seed} for {env_id!r}; kept: {kept}. "
            f"Make one with: python scripts/train_space_invaders.py --seed {training_seed} "
            "--out <folder>."
        )
    return json.loads(path.read_text())


def shipped_path(env_id: str) -> Any:
    """The shipped parameters of `env_id`'s agent (a ``.npz`` resource)."""
    return resources.files("helpers") / "trained" / f"{shipped_stem(env_id)}.npz"


def load_shipped_network(env_id: str) -> Any:
    """The `DQNAgent` shipped for `env_id` (saved with ``save()`` by scripts/train_lander.py),
    with ``explore`` off: ready to play its learned, greedy policy; it learns no more."""
    from helpers.dqn import DQNAgent

    with resources.as_file(shipped_path(env_id)) as file:
        agent = DQNAgent.load(file)
    agent.explore = False
    return agent


def check_ram_arrays(weights: np.ndarray, center: np.ndarray, scale: np.ndarray) -> None:
    """A clear error for a `RamPolicy` whose arrays do not fit together.

    >>> check_ram_arrays(np.zeros((6, 128)), np.zeros(128), np.ones(128))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: weights (6, 128) need one column per byte plus one, and center (128,) and ...
    """
    if weights.shape[1] != center.size + 1 or center.shape != scale.shape:
        raise ValueError(
            f"weights {weights.shape} need one column per byte plus one, and center "
            f"{center.shape} and scale {scale.shape} one entry per byte."
        )


def check_ram_size(ram: np.ndarray, center: np.ndarray, env_kwargs: dict[str, Any]) -> None:
    """A clear error for an observation that is not the RAM a `RamPolicy` reads.

    >>> check_ram_size(np.zeros(3), np.zeros(128), {"obs_type": "ram"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: This policy reads 128 RAM bytes, but the observation has 3 numbers. ...
    """
    if ram.size != center.size:
        raise ValueError(
            f"This policy reads {center.size} RAM bytes, but the observation has "
            f"{ram.size} numbers. Make its environment with "
            f"make_env(env_id, **agent.env_kwargs), that is {env_kwargs}."
        )
