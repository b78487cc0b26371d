"""Build a wheelhouse: every package the series needs, for installing with no network.

    python scripts/build_wheelhouse.py                        # every platform, Python 3.11-3.13
    python scripts/build_wheelhouse.py --platform linux-x86_64 --python 3.12

For a workshop on a weak wifi: run it once at home, copy the project folder (with
its new ``wheelhouse/``) to USB sticks, and each learner installs from the stick.
The learner's command is printed at the end and written to ``wheelhouse/INSTALL.txt``.

For each platform and Python version, the list of packages is resolved for that
platform (``uv pip compile --python-platform ... --python-version ... --only-binary
:all:``), so that dependencies only one platform needs (colorama and pywinpty on
Windows) are included; then ``pip download --no-deps`` fetches exactly those wheels.
The list comes from ``requirements.txt`` (whatever it holds, environment markers
included) plus the build backend that ``pip install -e .`` needs (``[build-system]
requires`` of ``pyproject.toml``: setuptools), without which an offline ``-e .`` fails.

A platform that cannot be resolved (a pinned package publishes no wheel for it) is
reported and skipped; the learners on it use Binder or Colab. Needs ``uv`` (in
requirements-dev.txt). Exits 1 when a download fails or nothing could be built.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Platform:
    """A platform as uv names it (to resolve) and as pip's wheel tags name it (to download)."""

    name: str
    uv: str
    pip: tuple[str, ...]


# glibc 2.28 or newer: Debian 10, Ubuntu 20.04, Fedora 29 and later. pip expands a
# macOS version to the older ones by itself, but not a manylinux_2_x one: list them.
LINUX_TAGS = (
    *(f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)),
    "manylinux2014_x86_64",
)
PLATFORMS = {
    platform.name: platform
    for platform in [
        Platform("linux-x86_64", "x86_64-manylinux_2_28", LINUX_TAGS),
        Platform("macos-arm64", "aarch64-apple-darwin", ("macosx_13_0_arm64",)),
        Platform("macos-x86_64", "x86_64-apple-darwin", ("macosx_13_0_x86_64",)),
        Platform("windows-amd64", "x86_64-pc-windows-msvc", ("win_amd64",)),
    ]
}
PYTHONS = ["3.11", "3.12", "3.13"]


def build_requirements() -> list[str]:
    """What ``pip install -e .`` needs to build the project: pyproject's build-system requires."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(pyproject["build-system"]["requires"])


def find_uv() -> str:
    uv = shutil.which("uv", path=os.path.dirname(sys.executable)) or shutil.which("uv")
    if uv is None:
        sys.exit("uv is missing: python -m pip install -r requirements-dev.txt (it pins uv).")
    return uv


def resolve(uv: str, platform: Platform, python: str, requirements: Path, output: Path) -> str:
    """Pin every package for one platform and Python into `output`; '' or uv's complaint."""
    with tempfile.TemporaryDirectory() as folder:
        wanted = Path(folder) / "wanted.txt"
        wanted.write_text(
            f"-r {requirements.resolve()}\n" + "\n".join(build_requirements()) + "\n",
            encoding="utf-8",
        )
        run = subprocess.run(
            [
                uv, "pip", "compile", str(wanted),
                "--python-platform", platform.uv,
                "--python-version", python,
                "--only-binary", ":all:",
                "--no-header", "--no-annotate", "--quiet",
                "--output-file", str(output),
            ],
            capture_output=True,
            text=True,
        )  # fmt: skip
    if run.returncode != 0:
        reason = [line.strip() for line in run.stderr.splitlines() if line.strip()]
        causes = [line for line in reason if "because" in line.lower()]
        return (causes or reason or ["uv pip compile failed"])[0].removeprefix("cause: ")
    return ""


def download(platform: Platform, python: str, pinned: Path, folder: Path) -> int:
    """Fetch the wheels of `pinned` for one platform and Python into `folder`; pip's status."""
    command = [
        sys.executable, "-m", "pip", "download",
        "--no-deps", "--only-binary", ":all:",
        *(option for tag in platform.pip for option in ("--platform", tag)),
        "--python-version", python,
        "--implementation", "cp",
        "--requirement", str(pinned),
        "--dest", str(folder),
        "--quiet",
    ]  # fmt: skip
    return subprocess.run(command).returncode


def install_instructions(built: list[tuple[Platform, list[str]]]) -> str:
    """What a learner types, per platform, to install from the wheelhouse."""
    lines = [
        "Install the series with no network, from this wheelhouse.",
        "In the project's folder (the one with requirements.txt), run the lines for your machine.",
        "",
    ]
    for platform, pythons in built:
        windows = platform.name.startswith("windows")
        folder = f"wheelhouse\\{platform.name}" if windows else f"wheelhouse/{platform.name}"
        sep = "\\" if windows else "/"
        bin_folder = ".venv\\Scripts\\" if windows else ".venv/bin/"
        lines += [
            f"{platform.name} (Python {', '.join(pythons)}):",
            f"  {'py -3.12' if windows else 'python3'} -m venv .venv",
            f"  {bin_folder}python -m pip install --no-index --find-links {folder} "
            f"-r requirements.txt -e .",
            f"  {bin_folder}python -m helpers.support.preflight",
            f"  {bin_folder}jupyter lab {'notebooks' + sep}00_start_here.ipynb",
            "",
        ]
    lines.append(
        "The first line makes a virtual environment (.venv) with your Python (3.11, 3.12 or "
        "3.13; on Windows, `py -3.11` or `py -3.13` work too), the second installs the series "
        "into it, the third checks the machine, the fourth opens the series."
    )
    return "\n".join(lines) + "\n"


def folder_megabytes(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.glob("*.whl")) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--platform",
        nargs="+",
        choices=sorted(PLATFORMS),
        default=list(PLATFORMS),
        help="platforms to build for (default: all)",
    )
    parser.add_argument(
        "--python", nargs="+", default=PYTHONS, help="Python versions (default: 3.11 3.12 3.13)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "wheelhouse", help="where to write it")
    parser.add_argument(
        "--requirements", type=Path, default=ROOT / "requirements.txt", help="the pinned list"
    )
    arguments = parser.parse_args(argv)

    uv = find_uv()
    built: list[tuple[Platform, list[str]]] = []
    skipped: list[str] = []
    failed: list[str] = []
    for name in arguments.platform:
        platform = PLATFORMS[name]
        folder = arguments.out / name
        folder.mkdir(parents=True, exist_ok=True)
        pythons = []
        for python in arguments.python:
            pinned = folder / f"requirements-py{python}.txt"
            print(f"{name}, Python {python}: resolving...", flush=True)
            problem = resolve(uv, platform, python, arguments.requirements, pinned)
            if problem:
                print(f"  skipped: {problem}")
                skipped.append(f"{name} Python {python}: {problem}")
                continue
            print(f"  downloading {len(pinned.read_text().splitlines())} wheels...", flush=True)
            if download(platform, python, pinned, folder) != 0:
                failed.append(f"{name} Python {python}")
                continue
            pythons.append(python)
        if pythons:
            built.append((platform, pythons))
            print(f"  {folder}: {folder_megabytes(folder):.0f} MB")
        elif not any(folder.iterdir()):
            folder.rmdir()

    instructions = install_instructions(built)
    if built:
        (arguments.out / "INSTALL.txt").write_text(instructions, encoding="utf-8")
    print()
    print(instructions)
    for line in skipped:
        print(f"Not built (no wheel to install there; use Binder or Colab): {line}")
    for line in failed:
        print(f"FAILED to download: {line} (is the network up? run the command again)")
    return 1 if failed or not built else 0


if __name__ == "__main__":
    sys.exit(main())
