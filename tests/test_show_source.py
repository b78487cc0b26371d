"""show_source prints a helper's source by name: whole, or a region marked in it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import RandomAgent, run_job, show_source
from helpers.robot_training import one_generation
from helpers.support.notebook import MissingRegionError, source_of


def test_show_source_prints_a_function_whole(capsys):
    show_source(run_job)
    printed = capsys.readouterr().out
    assert printed.startswith("def run_job(")
    assert "for step in range(steps):" in printed and printed.rstrip().endswith("return result")


def test_show_source_prints_a_method_dedented():
    assert source_of(RandomAgent.decision_function).startswith("def decision_function(")


def test_a_region_is_the_lines_between_its_marks():
    region = source_of(one_generation, region="one generation")
    assert region.startswith("# 1. Candidates")
    assert "# 3. The elite become the next cloud." in region
    assert "# 4." not in region and "# region" not in region


def test_a_missing_region_is_a_clear_error():
    with pytest.raises(MissingRegionError, match=r"no region 'nope'.*'one generation'"):
        source_of(one_generation, region="nope")


def test_the_teaching_functions_are_short_enough_to_print_whole():
    import helpers.evaluation
    import helpers.loop
    import helpers.robot_training

    for function in [
        run_job,
        helpers.loop.end_episode,
        helpers.evaluation.evaluate,
        helpers.robot_training.train_robot,
        one_generation,
        helpers.robot_training.pick_the_robot,
    ]:
        body = source_of(function).split('"""')[-1]  # after the docstring
        assert len(body.strip().splitlines()) <= 45, function.__name__  # about 40


def test_importing_helpers_sets_no_environment_variable():
    code = "import os; before = dict(os.environ); import helpers; print(dict(os.environ) == before)"
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SDL_VIDEODRIVER", "SDL_NO_SIGNAL_HANDLERS")
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    assert out.stdout.strip() == "True"
