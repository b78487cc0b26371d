"""The explanatory pictures draw without a screen and say what the notebooks promise."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from helpers import agent_environment_loop  # noqa: E402


def test_loop_diagram_names_every_part_of_a_step():
    figure = agent_environment_loop()
    try:
        texts = " ".join(text.get_text() for text in figure.axes[0].texts)
        for word in ["Agent", "Environment", "action", "observation", "reward", "terminated"]:
            assert word in texts, f"the loop diagram lost the word {word!r}: {texts!r}"
        assert figure.axes[0].get_title(), "the loop diagram has no title"
    finally:
        plt.close(figure)


def test_loop_diagram_draws_two_boxes_and_two_arrows():
    figure = agent_environment_loop()
    try:
        ax = figure.axes[0]
        assert len(ax.patches) == 2, "expected one box for the agent and one for the environment"
        arrows = [text for text in ax.texts if isinstance(text, Annotation)]
        assert len(arrows) == 2, "expected an action arrow and an answer arrow"
        figure.canvas.draw()  # renders without a display (Agg)
    finally:
        plt.close(figure)


def test_each_call_draws_a_new_figure():
    first, second = agent_environment_loop(), agent_environment_loop()
    try:
        assert first is not second
    finally:
        plt.close(first)
        plt.close(second)
