"""The offline install: a wheelhouse built per platform installs the series with no index.

These tests need the network (PyPI) to build the wheelhouse, and uv (requirements-dev.txt).
The end-to-end test downloads about 180 MB (pip's cache makes a rerun quicker).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location(
    "build_wheelhouse", ROOT / "scripts/build_wheelhouse.py"
)
build_wheelhouse = importlib.util.module_from_spec(spec)
sys.modules["build_wheelhouse"] = build_wheelhouse
spec.loader.exec_module(build_wheelhouse)

THIS_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture(scope="module")
def uv() -> str:
    found = shutil.which("uv", path=os.path.dirname(sys.executable)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv is missing: install requirements-dev.txt")
    return found


def pinned_names(path: Path) -> set[str]:
    return {line.split("==")[0].lower() for line in path.read_text().splitlines() if "==" in line}


def test_each_platform_gets_its_own_dependencies(uv, tmp_path):
    requirements = ROOT / "requirements.txt"
    platforms = build_wheelhouse.PLATFORMS
    windows, linux = tmp_path / "windows.txt", tmp_path / "linux.txt"
    assert (
        build_wheelhouse.resolve(uv, platforms["windows-amd64"], "3.12", requirements, windows)
        == ""
    )
    assert (
        build_wheelhouse.resolve(uv, platforms["linux-x86_64"], "3.12", requirements, linux) == ""
    )
    on_windows, on_linux = pinned_names(windows), pinned_names(linux)
    # Windows-only dependencies of Jupyter and tqdm, which a Linux resolver drops.
    assert {"colorama", "pywinpty"} <= on_windows - on_linux
    # The build backend that an offline `pip install -e .` needs, everywhere.
    assert "setuptools" in on_windows and "setuptools" in on_linux
    assert {"gymnasium", "ale-py", "box2d", "imageio-ffmpeg", "av"} <= on_windows & on_linux


def test_a_platform_without_wheels_is_reported_not_crashed(uv, tmp_path):
    # No ale-py has a wheel for Intel Macs on Python 3.14 (0.11.2 stops at 3.13).
    problem = build_wheelhouse.resolve(
        uv, build_wheelhouse.PLATFORMS["macos-x86_64"], "3.14", ROOT / "requirements.txt",
        tmp_path / "mac.txt",
    )  # fmt: skip
    assert "ale-py" in problem
    # On 3.12 the Intel Mac resolves, with its own ale-py (requirements.txt's markers).
    assert build_wheelhouse.resolve(
        uv, build_wheelhouse.PLATFORMS["macos-x86_64"], "3.12", ROOT / "requirements.txt",
        tmp_path / "mac312.txt",
    ) == ""  # fmt: skip
    assert "ale-py==0.11.2" in (tmp_path / "mac312.txt").read_text().splitlines()


def test_offline_install_from_the_linux_wheelhouse_runs_notebook_1(uv, tmp_path):
    if not sys.platform.startswith("linux") or os.uname().machine != "x86_64":
        pytest.skip("builds the Linux x86_64 wheelhouse and installs it here: Linux x86_64 only")
    wheelhouse = tmp_path / "wheelhouse"
    env = {**os.environ, "PATH": os.path.dirname(uv) + os.pathsep + os.environ["PATH"]}
    build = subprocess.run(
        [sys.executable, "scripts/build_wheelhouse.py", "--platform", "linux-x86_64",
         "--python", THIS_PYTHON, "--out", str(wheelhouse)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    instructions = (wheelhouse / "INSTALL.txt").read_text()
    assert (
        "--no-index --find-links wheelhouse/linux-x86_64 -r requirements.txt -e ." in instructions
    )

    # A fresh virtual environment; pip sees no index, no configured links: only the wheelhouse.
    # --no-compile: no bytecode for every installed file (10 s of CPU); the notebook's imports
    # are compiled as they run.
    learner = tmp_path / "venv"
    venv.create(learner, with_pip=True)
    python = str(learner / "bin" / "python")
    offline = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))
    }
    offline.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--no-compile", "--no-index", "--find-links",
         str(wheelhouse / "linux-x86_64"), "-r", "requirements.txt", "-e", "."],
        cwd=ROOT, env=offline, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]

    # Notebook 1, in a copy (its videos go there), on that environment's own kernel.
    workdir = tmp_path / "notebooks"
    workdir.mkdir()
    shutil.copy(ROOT / "notebooks" / "01_robots_shoot_lazers.ipynb", workdir)
    script = """
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read("01_robots_shoot_lazers.ipynb", as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell(
    "import sys, helpers; print(sys.executable); print(helpers.__file__)"))
NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
print(notebook.cells[-1].outputs[0]["text"], end="")
"""
    run = subprocess.run(
        [python, "-c", script], cwd=workdir, env=offline, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    kernel_python, helpers_file = run.stdout.splitlines()[-2:]
    assert Path(kernel_python).parent == learner / "bin"
    assert Path(helpers_file) == ROOT / "helpers" / "__init__.py"
