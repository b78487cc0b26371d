"""The pre-flight check, ``python -m helpers.support.preflight``: is this machine ready?

Each `Check` is ``ok``, ``warning`` (works; fix it to avoid surprises), ``optional`` (a
part of the series is skipped) or ``fail`` (only this makes the machine not ready).
Only the standard library is imported at the top, so that a missing package is reported,
and scripts/preflight.py can run this file where ``import helpers`` fails.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13), (3, 14))

_SUPPORTED_NAMES = ", ".join(f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS[:-1]) + (
    " or {}.{}".format(*SUPPORTED_PYTHONS[-1])
)

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"

INSTALL_COMMAND = "python -m pip install -r requirements.txt -e .   (in the project's folder)"

# The name to import for each distribution whose import name is not its own name.
IMPORT_NAMES = {
    "ipython": "IPython",
    "imageio-ffmpeg": "imageio_ffmpeg",
    "ale-py": "ale_py",
    "pygame-ce": "pygame",
    "argon2-cffi-bindings": "_argon2_cffi_bindings",
}

# What only the project's own tests and tools use: a learner need not hear of them.
DEVELOPER_TOOLS = {"pytest", "nbval", "nbclient", "nbformat", "packaging"}

# The packages that bring Box2D, which is optional: `check_box2d` reports on it.
BOX2D_PACKAGES = {"box2d", "ufal-pybox2d"}

# The oldest versions whose API the series uses: `gymnasium.register_envs` and the
# five values of `step` (Gymnasium 1.0), the games inside the wheel (ale-py 0.9).
MINIMUM_VERSIONS = {"gymnasium": (1, 0), "ale-py": (0, 9)}

STATUSES = ("ok", "warning", "optional", "fail")


@dataclass(frozen=True)
class Check:
    """The outcome of one check: its status, what it `found`, and the `fix` (or "")."""

    name: str
    status: str
    found: str
    fix: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")


def on_colab() -> bool:
    """Whether this runs in Google Colab (which brings its own Jupyter)."""
    return "google.colab" in sys.modules


def check_python(version_info: Sequence[int] | None = None) -> list[Check]:
    """Is this Python one of the supported versions (3.11 to 3.14)?"""
    version = tuple(version_info if version_info is not None else sys.version_info[:3])
    found = ".".join(str(part) for part in version[:3])
    if tuple(version[:2]) in SUPPORTED_PYTHONS:
        return [Check("Python", "ok", found)]
    return [
        Check(
            "Python",
            "fail",
            f"{found}: the series runs on Python {_SUPPORTED_NAMES}",
            f"install Python {_SUPPORTED_NAMES} (python.org), then make the virtual "
            "environment with it: python3.12 -m venv .venv",
        )
    ]


def parse_requirement(line: str) -> tuple[str, str | None, str] | None:
    """``(name, pinned version or None, marker)`` of a requirements.txt line, or None.

    >>> parse_requirement("gymnasium[box2d]==1.4.0  # the environments")
    ('gymnasium', '1.4.0', '')
    >>> parse_requirement('pywinpty==3.1.2; sys_platform == "win32"')
    ('pywinpty', '3.1.2', 'sys_platform == "win32"')
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    text = line.split(" #", 1)[0].strip()
    if not text or text.startswith(("#", "-")):
        return None
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    pins = [spec.version for spec in requirement.specifier if spec.operator == "=="]
    marker = str(requirement.marker) if requirement.marker else ""
    return canonicalize_name(requirement.name), pins[0] if pins else None, marker


def marker_applies(marker: str) -> bool:
    """Whether an environment marker (``sys_platform == "win32"``) holds here."""
    from packaging.markers import Marker

    return not marker or Marker(marker).evaluate()


def pinned_version(name: str, requirements: str | Path | None = None) -> str | None:
    """The version requirements.txt pins for `name`, or None."""
    path = Path(requirements) if requirements is not None else REQUIREMENTS
    if not path.is_file():
        return None
    return next((pin for each, pin in _pins(path) if each == name), None)


def _pins(path: Path) -> list[tuple[str, str | None]]:
    """``(name, pinned version or None)`` of each line of `path` that applies here."""
    lines = path.read_text(encoding="utf-8").splitlines()
    parsed = [one for line in lines if (one := parse_requirement(line))]
    return [(name, pin) for name, pin, marker in parsed if marker_applies(marker)]


def _install_one(name: str, extras: str = "") -> str:
    pinned = pinned_version(name)
    return f'python -m pip install "{name}{extras}=={pinned}"' if pinned else INSTALL_COMMAND


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def _check_package(name: str, pinned: str | None) -> Check:
    fix_one = f'python -m pip install "{name}=={pinned}"' if pinned else INSTALL_COMMAND
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return Check(name, "fail", "not installed", fix_one)
    module = IMPORT_NAMES.get(name, name.replace("-", "_"))
    try:
        importlib.import_module(module)
    except Exception as error:  # noqa: BLE001 - any failure to import is the finding
        return Check(
            name,
            "fail",
            f"{installed} is installed but `import {module}` fails: {error}",
            f'python -m pip install --force-reinstall "{name}=={pinned or installed}"',
        )
    minimum = MINIMUM_VERSIONS.get(name)
    if minimum and _version_tuple(installed) < minimum:
        return Check(
            name,
            "fail",
            f"{installed} is too old: the series needs {'.'.join(map(str, minimum))} "
            f"or newer (it was made with {pinned})",
            fix_one,
        )
    if pinned and installed != pinned:
        return Check(
            name,
            "warning",
            f"{installed}, not the tested {pinned}: it may work, "
            f"but the numbers in the notebooks may differ",
            fix_one,
        )
    return Check(name, "ok", installed)


def check_packages(requirements: str | Path | None = None) -> list[Check]:
    """Is every package of requirements.txt (for this machine) installed, importable and
    pinned? Another version warns. JupyterLab and Box2D have checks of their own."""
    path = Path(requirements) if requirements is not None else REQUIREMENTS
    needs = _installed_series_needs() if requirements is None and not path.is_file() else []
    if needs:  # installed as a package (Colab's set-up cell): its own list, with no pins
        return [_check_package(name, None) for name in needs]
    if not path.is_file():
        return [
            Check(
                "requirements.txt",
                "fail",
                f"no requirements.txt at {path}",
                "run the check from the project's folder, where requirements.txt is",
            )
        ]
    skipped = {"jupyterlab", *BOX2D_PACKAGES, *DEVELOPER_TOOLS}
    return [_check_package(name, pin) for name, pin in _pins(path) if name not in skipped]


def _installed_series_needs() -> list[str]:
    """What the series, installed as a package, lists as its needs (pyproject's
    dependencies), for this machine; [] if it is not installed so."""
    try:
        needs = importlib.metadata.requires("robots-shoot-lazers") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    parsed = [one for line in needs if (one := parse_requirement(line))]
    return [name for name, _, marker in parsed if marker_applies(marker)]


def check_atari() -> list[Check]:
    """Can Gymnasium make Space Invaders (the game's ROM ships inside ale-py)?"""
    try:
        import ale_py
        import gymnasium as gym
    except ImportError as error:
        return [
            Check(
                "Atari games",
                "fail",
                f"cannot try Space Invaders: {error}",
                f"install the packages above: {INSTALL_COMMAND}",
            )
        ]
    try:
        ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
        gym.register_envs(ale_py)
        env = gym.make("ALE/SpaceInvaders-v5")
        try:
            observation, _ = env.reset(seed=0)
        finally:
            env.close()
    except Exception as error:  # noqa: BLE001 - any failure is the finding
        return [
            Check(
                "Atari games",
                "fail",
                f'gym.make("ALE/SpaceInvaders-v5") fails: {type(error).__name__}: {error}',
                _install_one("ale-py") + "   (the games ship inside it)",
            )
        ]
    return [Check("Atari games", "ok", f"Space Invaders starts (screen {observation.shape})")]


def encode_test_video(folder: str | Path) -> Path:
    """Write a tiny H.264 mp4 (16 frames) into `folder` with imageio-ffmpeg's ffmpeg."""
    import imageio_ffmpeg
    import numpy as np

    path = Path(folder) / "preflight.mp4"
    writer = imageio_ffmpeg.write_frames(
        str(path),
        size=(64, 48),
        fps=15,
        codec="libx264",
        pix_fmt_out="yuv420p",
        macro_block_size=1,
        ffmpeg_log_level="error",
    )
    writer.send(None)
    for shade in range(16):
        writer.send(np.full((48, 64, 3), shade * 16, dtype=np.uint8))
    writer.close()
    return path


def check_ffmpeg() -> list[Check]:
    """Can imageio-ffmpeg's ffmpeg encode a tiny mp4 (how Gymnasium's RecordVideo, through
    moviepy, writes its videos)?"""
    fix = _install_one("imageio-ffmpeg").replace("install", "install --force-reinstall", 1)
    chosen = os.environ.get("IMAGEIO_FFMPEG_EXE")
    if chosen:  # imageio-ffmpeg uses this ffmpeg instead of its own
        fix = f"unset IMAGEIO_FFMPEG_EXE (it points to {chosen}), or {fix}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = encode_test_video(folder)
            size = path.stat().st_size if path.is_file() else 0
    except Exception as error:  # noqa: BLE001 - any failure is the finding
        return [
            Check(
                "ffmpeg (RecordVideo)",
                "fail",
                f"cannot encode a test video: {type(error).__name__}: {error}",
                fix,
            )
        ]
    if size == 0:
        return [Check("ffmpeg (RecordVideo)", "fail", "ffmpeg wrote an empty video", fix)]
    return [Check("ffmpeg (RecordVideo)", "ok", "writes a test video: Gymnasium's recorder works")]


def check_encoder() -> list[Check]:
    """Can run_job's encoder (PyAV, in a process of its own) write a tiny mp4?"""
    import numpy as np

    from helpers.support.encoder import VideoEncoder
    from helpers.support.recording import EpisodeRecorder

    fix = _install_one("av").replace("install", "install --force-reinstall", 1)
    encoder = VideoEncoder()  # a new process, as the first run_job starts
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "preflight.mp4"
            with EpisodeRecorder(path, fps=15, encoder=encoder) as recorder:
                for shade in range(16):
                    recorder.add_frame(np.full((48, 64, 3), shade * 16, dtype=np.uint8))
    except Exception as error:  # noqa: BLE001 - any failure is the finding
        found = f"cannot encode a test video: {type(error).__name__}: {error}"
        return [Check("video encoder (run_job)", "fail", found, fix)]
    finally:
        encoder.stop()
    return [Check("video encoder (run_job)", "ok", "writes a test video: run_job can film")]


def check_old_gym() -> list[Check]:
    """Is the old `gym` package installed? ``import gym`` then loads it, not Gymnasium."""
    try:
        old = importlib.metadata.version("gym")
    except importlib.metadata.PackageNotFoundError:
        return [Check("old gym", "ok", "not installed")]
    return [
        Check(
            "old gym",
            "warning",
            f"gym {old} is installed: `import gym` loads it, not Gymnasium",
            "python -m pip uninstall -y gym   (the series imports gymnasium)",
        )
    ]


def check_jupyterlab() -> list[Check]:
    """Is JupyterLab installed (not needed on Colab, which has its own)?"""
    if on_colab():
        return [Check("jupyterlab", "ok", "on Colab: Colab's own notebook is used")]
    return [_check_package("jupyterlab", pinned_version("jupyterlab"))]


def check_box2d() -> list[Check]:
    """Is Box2D (LunarLander's physics) installed? Optional: notebook 11 skips without it."""
    if importlib.util.find_spec("Box2D") is not None:
        return [Check("Box2D", "ok", "installed (the physics of notebook 11's LunarLander)")]
    return [
        Check(
            "Box2D",
            "optional",
            "not available on this machine: notebook 11 will skip",
            INSTALL_COMMAND + "   (requirements.txt names the Box2D package for your machine)",
        )
    ]


CHECKS = (  # in the order to fix them
    "check_python", "check_packages", "check_atari", "check_ffmpeg", "check_encoder",
    "check_old_gym", "check_jupyterlab", "check_box2d",
)  # fmt: skip


def run_checks() -> list[Check]:
    """Every check, in the order to fix them; a check that crashes is a failure."""
    checks: list[Check] = []
    for name in CHECKS:
        try:
            checks.extend(globals()[name]())
        except Exception as error:  # noqa: BLE001 - report it, and go on with the others
            label = name.removeprefix("check_").replace("_", " ")
            checks.append(
                Check(label, "fail", f"the check itself failed: {error}", INSTALL_COMMAND)
            )
    return checks


def ready(checks: Sequence[Check]) -> bool:
    """Whether the series can run: no check failed (warnings and optional parts are fine)."""
    return not any(check.status == "fail" for check in checks)


def report(checks: Sequence[Check]) -> str:
    """The checks as text: one line each, the fix under each problem, a verdict last.

    >>> print(report([Check("old gym", "warning", "gym 0.26.2", "pip uninstall gym")]))
    warning   old gym: gym 0.26.2
              fix: pip uninstall gym
    Ready, with 1 warning: the series runs; fixing it avoids surprises.
    """
    lines = []
    for check in checks:
        lines.append(f"{check.status:9} {check.name}: {check.found}")
        if check.fix and check.status != "ok":
            lines.append(f"{'':9} fix: {check.fix}")
    failures = sum(check.status == "fail" for check in checks)
    warnings = sum(check.status == "warning" for check in checks)
    if failures:
        lines.append(
            f"NOT READY: {failures} problem{'s' * (failures > 1)} to fix (see 'fix:' above), "
            f"then run this check again."
        )
    elif warnings:
        lines.append(
            f"Ready, with {warnings} warning{'s' * (warnings > 1)}: "
            f"the series runs; fixing {'them' if warnings > 1 else 'it'} avoids surprises."
        )
    else:
        lines.append("Ready: everything the series needs works on this machine.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the pre-flight report; return 0 when ready, 1 when not (the exit status)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments:
        print("usage: python -m helpers.support.preflight   (no arguments)", file=sys.stderr)
        return 2
    checks = run_checks()
    print(report(checks))
    return 0 if ready(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
