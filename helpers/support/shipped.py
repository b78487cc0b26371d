"""The files of the trained agents shipped in ``helpers/trained/``: which game has one,
and the record the training script saved with it (`trained_agent_record`)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

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
    """What the training script saved with the agent: command, seed, versions, scores.

    With `training_seed`, the record of the same command run with another seed
    (kept to show how much the result depends on the seed; its parameters are
    not shipped).

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
