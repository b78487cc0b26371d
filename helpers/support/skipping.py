"""Skipping a notebook's remaining cells when something it needs is not installed.

- `require_box2d`: call it in a notebook's setup cell; without Box2D, it says why once
  and makes every later cell print "skipped: needs Box2D" instead of running.
- `skip_remaining_cells`: the mechanism, for any reason: every code cell run after it
  prints ``skipped: <reason>`` instead of running.
- `stop_skipping`: run cells normally again.

Some machines have no ready-made Box2D to install (ARM Linux, for one), and
LunarLander needs it. A notebook that crashed there would teach nothing; one that
explains and skips lets the learner read on and move to the next notebook.

It works through IPython's input transformers: a function that sees the source
of every cell before it runs. Outside IPython (a plain script) nothing can be
skipped, so `require_box2d` only tells you, and returns False for you to act on.

>>> skip_remaining_cells("needs Box2D")  # a plain Python has no cells to skip
False
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers.support.environments import has_box2d

__all__ = ["require_box2d", "skip_remaining_cells", "stop_skipping"]

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
    """From the next cell on, print ``skipped: <reason>`` instead of running each cell.

    Returns whether cells will be skipped: False outside IPython, where there are
    no cells. Calling it twice changes the reason, and adds no second transformer.

    Args:
        reason: a few words that say why, shown by every skipped cell.
        shell: the IPython shell; by default the running one.

    >>> skip_remaining_cells("needs a screen")
    False
    """
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
    """Run cells normally again (undo `skip_remaining_cells`).

    >>> stop_skipping()
    """
    shell = _current_shell() if shell is None else shell
    if shell is None:
        return
    transformers: list[Callable[[list[str]], list[str]]] = shell.input_transformers_post
    transformers[:] = [t for t in transformers if not isinstance(t, _SkipCell)]


def require_box2d(shell: Any = None) -> bool:
    """Whether Box2D is installed; if not, explain once and skip the cells that follow.

    Call it at the end of the setup cell of a notebook that needs Box2D. With Box2D
    installed it does nothing and returns True (and undoes an earlier skip). Without
    it, it prints why the notebook cannot run here and returns False; in a notebook,
    every later cell then prints "skipped: needs Box2D" instead of running, so the
    notebook runs to its end without an error.

    Args:
        shell: the IPython shell; by default the running one.

    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # the message, if Box2D is missing
    ...     ready = require_box2d()
    >>> ready == has_box2d()
    True
    """
    if has_box2d():
        stop_skipping(shell)
        return True
    print(BOX2D_MISSING)
    skip_remaining_cells("needs Box2D", shell)
    return False
