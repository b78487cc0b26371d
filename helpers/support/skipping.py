"""Skipping a notebook's remaining cells (through IPython's input transformers) when
something it needs, such as Box2D, is not installed; outside IPython nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers.support.environments import has_box2d

BOX2D_MISSING = (
    "This notebook needs Box2D, the physics engine that LunarLander runs on, and it is not "
    "installed here (pip has no ready-made Box2D for some machines, ARM Linux for one).\n"
    'Every cell below will print "skipped: needs Box2D" instead of running. Read on, and run '
    'them on a machine where `pip install "gymnasium[box2d]"` works, or on Binder.'
)


class _SkipCell:
    """An IPython input transformer that replaces a cell's source with one print."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __call__(self, lines: list[str]) -> list[str]:
        return [f"print({f'skipped: {self.reason}'!r})\n"]


def _current_shell() -> Any:
    """The running IPython shell, or None in a plain Python."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a requirement of the series
        return None
    return get_ipython()


def skip_remaining_cells(reason: str, shell: Any = None) -> bool:
    """From the next cell on, print ``skipped: <reason>`` instead of running each cell;
    return whether cells will be skipped (False outside IPython)."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(
            f"reason must be a few words saying why, such as 'needs Box2D'; got {reason!r}"
        )
    shell = _current_shell() if shell is None else shell
    if shell is None:
        return False
    stop_skipping(shell)
    shell.input_transformers_post.append(_SkipCell(reason))
    return True


def stop_skipping(shell: Any = None) -> None:
    """Run cells normally again (undo `skip_remaining_cells`)."""
    shell = _current_shell() if shell is None else shell
    if shell is None:
        return
    transformers: list[Callable[[list[str]], list[str]]] = shell.input_transformers_post
    transformers[:] = [t for t in transformers if not isinstance(t, _SkipCell)]


def require_box2d(shell: Any = None) -> bool:
    """Whether Box2D is installed; if not, explain once and skip the cells that follow."""
    if has_box2d():
        stop_skipping(shell)
        return True
    print(BOX2D_MISSING)
    skip_remaining_cells("needs Box2D", shell)
    return False
