"""Binder: repo2docker builds the image we intend; binder's files alone make a working set-up."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"


@pytest.fixture(scope="module")
def dockerfile(tmp_path_factory) -> str:
    """The Dockerfile repo2docker would build, for a clean copy of the committed tree."""
    repo2docker = shutil.which("repo2docker", path=os.path.dirname(sys.executable))
    if repo2docker is None:
        pytest.fail("repo2docker is missing: install requirements-dev.txt")
    copy = tmp_path_factory.mktemp("repo") / "series"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "gym-results", "__pycache__", "test-artifacts"
        ),
    )
    run = subprocess.run(
        [repo2docker, "--no-build", "--debug", str(copy)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout + run.stderr


def test_binder_pins_the_python_version():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_repo2docker_picks_that_python(dockerfile):
    assert "python=3.11" in dockerfile


def test_binder_installs_the_same_requirements_and_the_project():
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["-r ../requirements.txt", "-e ."]


def test_repo2docker_installs_after_copying_the_repository(dockerfile):
    lines = dockerfile.splitlines()
    copy_repo = next(
        i for i, line in enumerate(lines) if re.match(r"COPY .*src/ \$\{REPO_DIR\}/", line)
    )
    install = next(
        i
        for i, line in enumerate(lines)
        if 'pip install --no-cache-dir -r "binder/requirements.txt"' in line
    )
    workdir = max(i for i, line in enumerate(lines[:install]) if line.startswith("WORKDIR"))
    # "-e ." and "-r ../requirements.txt" need the whole repository there, and pip run from its root
    assert copy_repo < install
    assert lines[workdir] == "WORKDIR ${REPO_DIR}"


# The Jupyter packages of repo2docker's base image that our requirements could clash with.
BASE_JUPYTER = [
    "notebook",
    "jupyterlab",
    "jupyter_server",
    "jupyterlab_server",
    "notebook-shim",
    "jupyter-lsp",
    "jupyter-offlinenotebook",
    "jupyter-resource-usage",
]


def base_image_jupyter() -> list[str]:
    """`name==version` of those packages in repo2docker's base environment for our Python."""
    package = importlib.util.find_spec("repo2docker")  # found, not imported
    if package is None:
        pytest.fail("repo2docker is missing: install requirements-dev.txt")
    python = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    conda = Path(package.origin).parent / "buildpacks" / "conda"
    lock = (conda / f"environment.py-{python}-linux-64.lock").read_text()
    pins = []
    for name in BASE_JUPYTER:
        match = re.search(rf"/noarch/{re.escape(name)}-([0-9][^-]*)-py", lock)
        assert match, f"{name} not in repo2docker's base environment any more"
        pins.append(f"{name}=={match.group(1)}")
    return pins


def test_the_base_image_has_an_older_notebook_that_requirements_replace():
    base = dict(pin.split("==") for pin in base_image_jupyter())
    ours = dict(
        re.findall(r"^(notebook|jupyterlab)==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M)
    )
    # pip replaces the base image's notebook only because requirements.txt pins one
    assert set(ours) == {"notebook", "jupyterlab"}
    assert ours != {name: base[name] for name in ours}


def test_binder_files_alone_give_a_set_up_that_runs_the_lazers_notebook(tmp_path):
    """Build a fresh virtual environment from binder/ as repo2docker does; run notebook 1 in it.

    The environment starts with the Jupyter packages of repo2docker's base image, as on Binder,
    and must end with no conflict between them and ours (`pip check`). pip writes no bytecode
    for every installed file (--no-compile): the notebook's imports compile as they run.
    """
    venv = tmp_path / "binder-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The base image's packages come from conda there; uv puts them here in seconds. The step
    # under test, binder/requirements.txt, is installed by pip, as repo2docker does.
    uv = shutil.which("uv", path=os.path.dirname(sys.executable)) or shutil.which("uv")
    assert uv, "uv is missing: install requirements-dev.txt"
    base = subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(python), *base_image_jupyter()],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert base.returncode == 0, base.stderr[-3000:]
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-compile"]
        + ["-r", "binder/requirements.txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    assert "dependency conflicts" not in install.stderr, install.stderr[-3000:]
    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    work = tmp_path / "notebooks"
    work.mkdir()
    notebook = ROOT / "notebooks" / "01_robots_shoot_lazers.ipynb"
    script = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, timeout=300, kernel_name='python3',"
        " resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
        "videos = [o for c in nb.cells for o in c.get('outputs', [])"
        " if '<video src=\"data:video/mp4;base64,'"
        " in str(o.get('data', {}).get('text/html', ''))]\n"
        "print('videos:', len(videos))\n"
    )
    run = subprocess.run(
        [str(python), "-c", script, str(notebook), str(work)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "videos: 2" in run.stdout  # the episode and the exercise's solution
    runs = sorted((work / "gym-results").glob("*_SpaceInvaders-v5_seed42_*"))
    assert len(runs) == 1  # each run_job call films into a folder of its own
    assert sorted(p.name for p in runs[0].iterdir())[:2] == [
        "episode-000000.mp4",
        "episode-000001.mp4",
    ]
