"""Pictures for the notebooks whose drawing code teaches nothing about RL (matplotlib is
imported only when one is drawn)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

AGENT_COLOUR = "#cde"
ENVIRONMENT_COLOUR = "#edc"


def agent_environment_loop() -> Figure:
    """Draw one step of the agent-environment loop on a new figure and return it."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    figure, ax = plt.subplots(figsize=(7, 3))
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    for x, label, colour in [(1, "Agent", AGENT_COLOUR), (6.5, "Environment", ENVIRONMENT_COLOUR)]:
        ax.add_patch(
            FancyBboxPatch((x, 1.2), 2.5, 1.6, boxstyle="round,pad=0.05", color=colour, lw=0)
        )
        ax.text(x + 1.25, 2, label, ha="center", va="center", fontsize=13)
    arrow = {"arrowstyle": "->", "lw": 2}
    ax.annotate("", xy=(6.5, 2.5), xytext=(3.5, 2.5), arrowprops=arrow)
    ax.text(5, 2.7, "action", ha="center")
    ax.annotate("", xy=(3.5, 1.5), xytext=(6.5, 1.5), arrowprops=arrow)
    ax.text(5, 0.7, "observation, reward,\nterminated / truncated", ha="center")
    ax.set_title("One step of the loop, repeated until the episode ends")
    return figure
