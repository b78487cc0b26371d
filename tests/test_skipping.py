"""A notebook that needs Box2D skips its cells, with one clear message, where Box2D is missing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell
from nbclient import NotebookClient

from helpers import has_box2d, require_box2d, skip_remaining_cells, stop_skipping

ROOT = Path(__file__).resolve().parent.parent
LANDER = ROOT / "notebooks" / "11_land_on_the_moon.ipynb"


@pytest.fixture
def shell():
    """A real IPython shell that runs cells as a notebook kernel would."""
    shell = InteractiveShell.instance()
    yield shell
    stop_skipping(shell)
    InteractiveShell.clear_instance()


@pytest.fixture
def no_box2d(monkeypatch):
    """Box2D as on a machine without it: `import Box2D` fails, find_spec finds nothing."""
    monkeypatch.setitem(sys.modules, "Box2D", None)
    assert not has_box2d()


def test_without_box2d_later_cells_print_skipped_instead_of_running(shell, no_box2d, capsys):
    assert require_box2d(shell) is False
    message = capsys.readouterr().out
    assert "needs Box2D" in message and "ARM Linux" in message
    result = shell.run_cell("import Box2D\n1 / 0")  # would fail twice if it ran
    assert result.success, result.error_in_exec
    assert capsys.readouterr().out == "skipped: needs Box2D\n"


def test_with_box2d_nothing_is_printed_or_skipped(shell, capsys):
    if not has_box2d():
        pytest.skip("Box2D is not installed here")
    assert require_box2d(shell) is True
    assert capsys.readouterr().out == ""
    shell.run_cell("print(6 * 7)")
    assert capsys.readouterr().out == "42\n"


def test_skipping_is_registered_once_and_can_be_stopped(shell, capsys):
    before = len(shell.input_transformers_post)
    assert skip_remaining_cells("needs a screen", shell)
    assert skip_remaining_cells("needs a joystick", shell)
    assert len(shell.input_transformers_post) == before + 1
    shell.run_cell("print('ran')")
    assert capsys.readouterr().out == "skipped: needs a joystick\n"
    stop_skipping(shell)
    assert len(shell.input_transformers_post) == before
    shell.run_cell("print('ran')")
    assert capsys.readouterr().out == "ran\n"


def test_require_box2d_undoes_an_earlier_skip_once_box2d_is_there(shell, capsys):
    if not has_box2d():
        pytest.skip("Box2D is not installed here")
    skip_remaining_cells("needs Box2D", shell)
    require_box2d(shell)
    shell.run_cell("print('ran')")
    assert capsys.readouterr().out == "ran\n"


def test_a_reason_is_required():
    with pytest.raises(ValueError, match="reason must be a few words"):
        skip_remaining_cells("  ")


def test_outside_ipython_nothing_is_skipped_but_the_message_is_given(no_box2d, capsys):
    assert require_box2d() is False  # pytest runs no IPython shell
    assert "needs Box2D" in capsys.readouterr().out


def test_the_lander_notebook_runs_to_its_end_without_box2d(tmp_path, monkeypatch):
    # The kernel is a new process: a sitecustomize module hides Box2D from it at start-up.
    (tmp_path / "sitecustomize.py").write_text("import sys\n\nsys.modules['Box2D'] = None\n")
    paths = [str(tmp_path), str(ROOT), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    notebook = nbformat.read(LANDER, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(LANDER.parent)}},
    )
    client.execute()  # raises CellExecutionError if any cell fails

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    outputs = ["".join(o.get("text", "") for o in cell.outputs) for cell in code]
    setup = next(i for i, cell in enumerate(code) if "require_box2d()" in cell.source)
    assert "needs Box2D" in outputs[setup]
    assert outputs[setup + 1 :], "the notebook has no cells after its setup cell"
    assert all(text == "skipped: needs Box2D\n" for text in outputs[setup + 1 :]), outputs
