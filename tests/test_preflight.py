"""The pre-flight check: ok on a ready machine, a clear failure and a fix for each problem."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import has_box2d
from helpers.support import preflight
from helpers.support.preflight import Check

ROOT = Path(__file__).resolve().parent.parent


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


@pytest.fixture(scope="module")
def this_machine() -> list[Check]:
    return preflight.run_checks()


def test_this_machine_is_ready(this_machine):
    failures = [check for check in this_machine if check.status == "fail"]
    assert failures == []
    assert preflight.ready(this_machine)
    names = by_name(this_machine)
    needed_checks = ["Python", "gymnasium", "ale-py", "Atari games", "ffmpeg (RecordVideo)", "av"]
    for needed in [*needed_checks, "video encoder (run_job)", "jupyterlab"]:
        assert names[needed].status == "ok", names[needed]


def test_every_pinned_package_is_checked(this_machine):
    pinned = {
        parsed[0]
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if (parsed := preflight.parse_requirement(line)) and preflight.marker_applies(parsed[2])
    }
    # Box2D's package has a check of its own (optional), under the name "Box2D"; the
    # developer tools are not the learner's concern
    learners = pinned - preflight.BOX2D_PACKAGES - preflight.DEVELOPER_TOOLS
    assert learners <= set(by_name(this_machine))
    assert not preflight.DEVELOPER_TOOLS & set(by_name(this_machine))
    assert "Box2D" in by_name(this_machine)


def test_main_prints_a_line_per_check_and_exits_0_when_ready(capsys):
    assert preflight.main([]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("ok        Python: 3.")
    assert "Atari games" in out and "ffmpeg (RecordVideo)" in out
    assert out.rstrip().splitlines()[-1].startswith("Ready")


def fake_versions(monkeypatch, **versions: str | None) -> None:
    """Pretend some distributions have another version (None: not installed)."""
    real = importlib.metadata.version

    def version(name: str) -> str:
        key = name.replace("-", "_")
        if key in versions:
            if versions[key] is None:
                raise importlib.metadata.PackageNotFoundError(name)
            return versions[key]
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)


def test_a_missing_package_fails_with_the_install_command(monkeypatch, capsys):
    fake_versions(monkeypatch, numpy=None)
    numpy = by_name(preflight.check_packages())["numpy"]
    assert numpy.status == "fail"
    assert numpy.found == "not installed"
    assert numpy.fix == 'python -m pip install "numpy==2.4.6"'
    assert preflight.main([]) == 1
    out = capsys.readouterr().out
    assert "fail      numpy: not installed" in out
    assert 'fix: python -m pip install "numpy==2.4.6"' in out
    assert out.rstrip().splitlines()[-1].startswith("NOT READY: 1 problem to fix")


def test_a_package_that_does_not_import_fails(monkeypatch):
    real_import = preflight.importlib.import_module

    def broken(name: str, *args):
        if name == "tqdm":
            raise ImportError("DLL load failed")
        return real_import(name, *args)

    monkeypatch.setattr(preflight.importlib, "import_module", broken)
    tqdm = by_name(preflight.check_packages())["tqdm"]
    assert tqdm.status == "fail"
    assert "`import tqdm` fails: DLL load failed" in tqdm.found
    assert "--force-reinstall" in tqdm.fix


def test_an_old_gymnasium_fails_and_another_pin_warns(monkeypatch):
    fake_versions(monkeypatch, gymnasium="0.29.1", matplotlib="3.10.0")
    checks = by_name(preflight.check_packages())
    assert checks["gymnasium"].status == "fail"
    assert "too old" in checks["gymnasium"].found
    assert checks["matplotlib"].status == "warning"
    assert "not the tested 3.11.2" in checks["matplotlib"].found
    assert preflight.ready([checks["matplotlib"]])


@pytest.mark.parametrize("version", [(3, 10, 12), (3, 15, 0), (2, 7, 18)])
def test_an_unsupported_python_fails(version):
    (check,) = preflight.check_python(version)
    assert check.status == "fail"
    assert "3.11, 3.12, 3.13 or 3.14" in check.fix


def test_the_wrong_python_makes_main_exit_1(monkeypatch, capsys):
    this = sys.version_info[:2]
    monkeypatch.setattr(
        preflight, "SUPPORTED_PYTHONS", tuple(v for v in [(3, 11), (3, 12), (3, 13)] if v != this)
    )
    assert preflight.main([]) == 1
    assert capsys.readouterr().out.startswith("fail      Python:")


def test_a_broken_ffmpeg_fails(monkeypatch, tmp_path):
    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\necho 'ffmpeg: cannot execute' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(broken))
    (check,) = preflight.check_ffmpeg()
    assert check.status == "fail"
    assert check.found.startswith("cannot encode a test video")
    assert f"unset IMAGEIO_FFMPEG_EXE (it points to {broken})" in check.fix
    monkeypatch.setattr(preflight, "check_ffmpeg", lambda: [check])
    assert preflight.main([]) == 1


def test_without_pyav_the_video_encoder_fails_with_its_fix(monkeypatch, tmp_path):
    (tmp_path / "av.py").write_text("raise ModuleNotFoundError(\"No module named 'av'\")\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.getcwd()]))
    (check,) = preflight.check_encoder()
    assert check.status == "fail"
    assert "No module named 'av'" in check.found
    assert 'pip install --force-reinstall "av==' in check.fix
    assert "install PyAV" in check.found  # the error itself says how to fix it


def test_an_old_gym_is_a_warning_with_its_fix(monkeypatch):
    fake_versions(monkeypatch, gym="0.26.2")
    (check,) = preflight.check_old_gym()
    assert check.status == "warning"
    assert check.fix.startswith("python -m pip uninstall -y gym")
    assert preflight.ready([check])


def test_missing_box2d_is_optional_and_does_not_fail(monkeypatch, capsys):
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        return None if name == "Box2D" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert not has_box2d()
    (check,) = preflight.check_box2d()
    assert check.status == "optional"
    assert check.found == "not available on this machine: notebook 11 will skip"
    assert preflight.main([]) == 0
    assert "optional  Box2D: not available on this machine" in capsys.readouterr().out


def test_box2d_check_agrees_with_has_box2d():
    (check,) = preflight.check_box2d()
    assert (check.status == "ok") == has_box2d()


def test_on_colab_jupyterlab_is_not_needed(monkeypatch):
    fake_versions(monkeypatch, jupyterlab=None)
    assert preflight.check_jupyterlab()[0].status == "fail"
    monkeypatch.setitem(sys.modules, "google.colab", object())
    (check,) = preflight.check_jupyterlab()
    assert check.status == "ok"
    assert "Colab" in check.found


def test_requirements_with_markers_check_only_this_platform(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# a comment\n-r other.txt\n"
        "numpy==2.4.6\n"
        'pywinpty==3.1.2; sys_platform == "win32"\n'
        'notapackage==1.0; sys_platform == "nonexistent-os"\n'
    )
    checks = by_name(preflight.check_packages(requirements))
    assert set(checks) == ({"numpy", "pywinpty"} if sys.platform == "win32" else {"numpy"})


def test_a_check_that_crashes_is_reported_not_raised(monkeypatch):
    def crash():
        raise OSError("disk on fire")

    monkeypatch.setattr(preflight, "check_old_gym", crash)
    checks = by_name(preflight.run_checks())
    assert checks["old gym"].status == "fail"
    assert "disk on fire" in checks["old gym"].found


def run_command(command: list[str], pythonpath: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_command_exits_0_on_this_machine():
    run = run_command([sys.executable, "-m", "helpers.support.preflight"], str(ROOT))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Ready" in run.stdout


def test_the_script_reports_a_missing_gymnasium_and_exits_1(tmp_path):
    # A package named gymnasium that fails to import, first on the path: as if it were broken.
    (tmp_path / "gymnasium").mkdir()
    (tmp_path / "gymnasium" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'gymnasium'\", name='gymnasium')\n"
    )
    run = run_command([sys.executable, "scripts/preflight.py"], f"{tmp_path}{os.pathsep}{ROOT}")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "fail      gymnasium:" in run.stdout
    assert "fail      Atari games: cannot try Space Invaders" in run.stdout
    assert "NOT READY" in run.stdout
    assert run.stderr == ""
