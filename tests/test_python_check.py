"""scripts/check_python.py: silent on a Python that works, a clear way out on any other."""

from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / "scripts" / "check_python.py"


def check(python: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, str(CHECK), *args], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def other_pythons() -> list[str]:
    """Real interpreters on this machine other than the one running the tests (pyenv's)."""
    found = glob.glob("/root/.pyenv/versions/3.*/bin/python3") + glob.glob(
        str(Path.home() / ".pyenv/versions/3.*/bin/python3")
    )
    return sorted(set(found))


def test_this_python_passes_silently():
    run = check(sys.executable)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


@pytest.mark.parametrize("python", other_pythons())
def test_a_real_interpreter_passes_or_is_told_what_to_do(python):
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    run = check(python)
    if version in ("3.11", "3.12", "3.13", "3.14"):
        assert run.returncode == 0, run.stderr
    else:
        assert run.returncode == 1
        assert f"This is Python {version}." in run.stderr
        assert "The series runs on Python 3.11, 3.12, 3.13 or 3.14 here." in run.stderr
        assert "uv python install 3.12" in run.stderr
        assert python in run.stderr  # which Python was used, for a machine with several


@pytest.mark.parametrize(
    "version, system, machine, says",
    [
        ("3.9.6", "Darwin", "arm64", ["too old", "brew install python@3.12", "python3.12 in"]),
        ("3.10.12", "Linux", "x86_64", ["too old", "sudo apt install python3.12 python3.12-venv"]),
        ("3.15.0", "Linux", "aarch64", ["newer than the series supports", "3.13 or 3.14 here"]),
        ("3.14.0", "Darwin", "x86_64", ["Intel Mac", "runs on Python 3.11, 3.12 or 3.13 here"]),
        ("3.10.11", "Windows", "AMD64", ["python.org", "py -3.12", "uv python install 3.12"]),
        ("3.12.4", "Windows", "ARM64", ["no ready-made build", "Binder or Colab"]),
    ],
)
def test_a_wrong_python_is_stopped_with_a_way_out(version, system, machine, says):
    run = check(sys.executable, "--pretend", version, system, machine)
    assert run.returncode == 1
    for text in says:
        assert text in run.stderr, f"{text!r} missing from:\n{run.stderr}"


@pytest.mark.parametrize(
    "version, system, machine",
    [
        ("3.11.0", "Linux", "x86_64"),
        ("3.14.0", "Linux", "aarch64"),
        ("3.13.1", "Darwin", "x86_64"),
        ("3.14.0", "Darwin", "arm64"),
        ("3.12.10", "Windows", "AMD64"),
    ],
)
def test_a_supported_python_passes(version, system, machine):
    run = check(sys.executable, "--pretend", version, system, machine)
    assert (run.returncode, run.stderr) == (0, "")


def test_the_readme_commands_run_the_check_first():
    readme = (ROOT / "README.md").read_text()
    assert "python3 scripts/check_python.py && python3 -m venv .venv" in readme
    assert "py -3.12 scripts\\check_python.py; if ($?) {" in readme


def test_pyproject_requires_the_same_pythons_as_the_check():
    import tomllib

    from packaging.specifiers import SpecifierSet

    sys.path.insert(0, str(CHECK.parent))
    try:
        import check_python
    finally:
        sys.path.remove(str(CHECK.parent))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    allowed = SpecifierSet(project["requires-python"])
    for minor in range(6, 20):
        assert (f"3.{minor}.0" in allowed) == ((3, minor) in check_python.SUPPORTED), minor


def test_the_pre_flight_check_accepts_the_same_pythons_as_the_set_up_check():
    import runpy

    from helpers.support.preflight import SUPPORTED_PYTHONS

    assert list(SUPPORTED_PYTHONS) == runpy.run_path(str(CHECK))["SUPPORTED"]
