"""requirements.txt installs from wheels alone on every platform and Python the series supports.

uv resolves the pinned list for each platform and Python version with `--only-binary :all:`,
as pip would on that machine with no compiler. The combinations run side by side; each answer
(the pinned list, or "no solution") is cached under the user's cache folder, keyed on
requirements.txt's contents, uv's version and the combination, so a second run of the suite
costs nothing until the requirements change.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
PLATFORMS = {
    "Linux x86_64": ("x86_64-unknown-linux-gnu", "Linux", "x86_64"),
    "Linux aarch64": ("aarch64-unknown-linux-gnu", "Linux", "aarch64"),
    "macOS arm64": ("aarch64-apple-darwin", "Darwin", "arm64"),
    "macOS x86_64": ("x86_64-apple-darwin", "Darwin", "x86_64"),
    "Windows amd64": ("x86_64-pc-windows-msvc", "Windows", "AMD64"),
    # Not in the workshop's table; the check sends these machines to Binder or Colab.
    "Windows arm64": ("aarch64-pc-windows-msvc", "Windows", "ARM64"),
}
TABLE = [name for name in PLATFORMS if name != "Windows arm64"]  # the workshop's machines
PYTHONS = ["3.11", "3.12", "3.13", "3.14", "3.15"]
COMBINATIONS = [(name, python) for name in PLATFORMS for python in PYTHONS]


def load_check():
    spec = importlib.util.spec_from_file_location("check_python", ROOT / "scripts/check_python.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK = load_check()


def uv() -> str:
    found = shutil.which("uv", path=os.path.dirname(sys.executable)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv is missing: install requirements-dev.txt")
    return found


def cache_folder() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "robots-shoot-lazers" / "wheels-only"


def resolve(uv_path: str, version: str, target: str, python: str) -> tuple[bool, str]:
    """(resolved?, uv's pinned list or its error) for one platform and Python, cached."""
    key = hashlib.sha256(
        "\n".join([REQUIREMENTS.read_text(), version, target, python]).encode()
    ).hexdigest()[:24]
    cached = cache_folder() / f"{key}.txt"
    if cached.is_file():
        status, _, text = cached.read_text().partition("\n")
        return status == "resolved", text
    run = subprocess.run(
        [uv_path, "pip", "compile", str(REQUIREMENTS), "--quiet", "--no-header"]
        + ["--python-platform", target, "--python-version", python]
        + ["--only-binary", ":all:", "--no-python-downloads"],
        capture_output=True,
        text=True,
        timeout=600,
        # macOS 13 is the oldest the README promises; uv's default target may change.
        env={**os.environ, "MACOSX_DEPLOYMENT_TARGET": "13.0", "UV_PYTHON_DOWNLOADS": "never"},
    )
    resolved = run.returncode == 0
    text = run.stdout if resolved else run.stderr
    if resolved or "No solution found" in text:  # a network failure is not kept
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(("resolved" if resolved else "unresolvable") + "\n" + text)
    return resolved, text


@pytest.fixture(scope="module")
def resolutions() -> dict[tuple[str, str], tuple[bool, str]]:
    uv_path = uv()
    version = subprocess.run(
        [uv_path, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = {
            (name, python): pool.submit(resolve, uv_path, version, PLATFORMS[name][0], python)
            for name, python in COMBINATIONS
        }
        return {combination: future.result() for combination, future in futures.items()}


def pins(resolved: str) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", resolved, flags=re.MULTILINE))


def supported(name: str, python: str) -> bool:
    _, system, machine = PLATFORMS[name]
    return not CHECK.problem(tuple(map(int, python.split("."))), system, machine)


@pytest.mark.parametrize("name, python", COMBINATIONS)
def test_requirements_install_from_wheels_exactly_where_the_python_check_says(
    resolutions, name, python
):
    resolved, text = resolutions[name, python]
    if supported(name, python):
        assert resolved, f"{name}, Python {python}: no wheels-only install:\n{text[-2000:]}"
        versions = pins(text)
        assert versions["gymnasium"] == "1.4.0"
        assert "box2d" in versions or "ufal-pybox2d" in versions, "no Box2D for LunarLander"
        assert versions["ale-py"] == ("0.11.2" if name == "macOS x86_64" else "0.12.1")
    else:
        # scripts/check_python.py turns this Python away: it must really be unable to install,
        # or the check should let it in (add it there, and to the README).
        assert not resolved, f"{name}, Python {python} now installs: update check_python.py"


def test_every_platform_of_the_table_runs_python_3_11_to_3_13():
    for name in TABLE:
        for python in ["3.11", "3.12", "3.13"]:
            assert supported(name, python), (name, python)


def test_ci_runs_the_same_versions_as_the_pinned_linux_resolution(resolutions):
    """This machine's Linux x86_64 resolution is what CI installs: it holds every direct pin."""
    resolved, text = resolutions["Linux x86_64", "3.11"]
    assert resolved
    versions = pins(text)
    for line in REQUIREMENTS.read_text().splitlines():
        match = re.match(r"([A-Za-z0-9_.-]+)==([^;\s]+)\s*(?:;\s*(.+))?$", line)
        if match and (not match.group(3) or eval_marker(match.group(3))):
            name = match.group(1).lower()
            assert versions.get(name) == match.group(2), (name, versions.get(name))


def eval_marker(marker: str) -> bool:
    """Evaluate a requirement's marker for Linux x86_64, Python 3.11."""
    from packaging.markers import Marker

    return Marker(marker).evaluate(
        {"sys_platform": "linux", "platform_machine": "x86_64", "python_version": "3.11"}
    )
