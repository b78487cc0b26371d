"""Check, before anything is installed, that this Python can run the series.

    python3 scripts/check_python.py          # prints nothing and exits 0 when all is well

On a Python that cannot install the pinned packages, it says which versions work on this
machine and how to get one, and exits 1, so that the set-up command stops right there.
It runs on any Python 3, old or new, for that reason: it uses nothing newer than 3.3.
For tests, `--pretend VERSION SYSTEM MACHINE` (e.g. `--pretend 3.9.6 Darwin arm64`) checks
that version and platform instead of the running one.
"""

# ruff: noqa: UP031 (no f-strings: this file must run, and explain, on the oldest Pythons too)

import platform
import struct
import sys

# The Python versions whose wheels requirements.txt installs from (tests/test_install_matrix.py
# resolves every one of them on every platform).
SUPPORTED = [(3, 11), (3, 12), (3, 13), (3, 14)]
# ale-py (the Atari games) has no Intel Mac build for Python 3.14.
INTEL_MAC_SUPPORTED = [(3, 11), (3, 12), (3, 13)]
RECOMMENDED = "3.12"


def family(system):
    """'macOS', 'Windows' or 'Linux' (any other system counts as Linux)."""
    if system == "Darwin":
        return "macOS"
    if system == "Windows":
        return "Windows"
    return "Linux"


def supported_versions(system, machine):
    """The (major, minor) versions that install from wheels on this platform."""
    if system == "Darwin" and machine.lower() in ("x86_64", "amd64", "i386"):
        return INTEL_MAC_SUPPORTED
    if system == "Windows" and machine.lower().startswith(("arm", "aarch")):
        return []  # ale-py has no build for Windows on ARM
    return SUPPORTED


def names(versions):
    """[(3, 11), (3, 12), (3, 13)] -> '3.11, 3.12 or 3.13'."""
    texts = ["%d.%d" % version for version in versions]
    if len(texts) < 2:
        return "".join(texts)
    return ", ".join(texts[:-1]) + " or " + texts[-1]


def how_to_get(system, command):
    """Lines telling how to install a working Python and use it in the set-up command."""
    if family(system) == "Windows":
        return [
            "Install Python %s from https://www.python.org/downloads/windows/ (it comes with"
            % RECOMMENDED,
            "the `py` launcher), then run the same command again: it uses `py -%s`." % RECOMMENDED,
            "Or, with uv: uv python install %s" % RECOMMENDED,
        ]
    lines = []
    if family(system) == "macOS":
        lines.append("  brew install python@%s         (with Homebrew)" % RECOMMENDED)
    else:
        lines.append(
            "  sudo apt install python%s python%s-venv   (Debian, Ubuntu; other systems:"
            " their own package)" % (RECOMMENDED, RECOMMENDED)
        )
    lines.append("  uv python install %s          (with uv, on any system)" % RECOMMENDED)
    return (
        ["Get Python %s, for example with one of:" % RECOMMENDED]
        + lines
        + ["then run the same command again with python%s in place of %s." % (RECOMMENDED, command)]
    )


def problem(version, system, machine, bits=64):
    """What stops this Python from installing the series, as lines of text; [] if nothing."""
    major_minor = tuple(version[:2])
    here = supported_versions(system, machine)
    shown = ".".join(str(part) for part in version[:3])
    if not here:
        return [
            "This machine (%s %s) has no ready-made build of the Atari games (ale-py):"
            % (system, machine),
            "use Binder or Colab instead (the badges at the top of README.md).",
        ]
    if bits != 64:
        reason = "a 32-bit Python: the series needs a 64-bit one."
    elif major_minor in here:
        return []
    elif major_minor < here[0]:
        reason = "too old: the pinned libraries (NumPy 2.4 among them) need 3.11 or newer."
    elif major_minor in SUPPORTED:
        reason = "not supported on an Intel Mac: the Atari games (ale-py) have no build for it."
    else:
        reason = "newer than the series supports yet: its libraries have no builds for it."
    command = "py" if family(system) == "Windows" else "python3"
    return [
        "This is Python %s, %s" % (shown, reason),
        "The series runs on Python %s here." % names(here),
    ] + how_to_get(system, command)


def has_venv():
    """Whether `python -m venv` can work here (Debian splits it into its own package)."""
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv):
    if argv[:1] == ["--pretend"] and len(argv) == 4:
        version = tuple(int(part) for part in argv[1].split("."))
        system, machine, bits = argv[2], argv[3], 64
    elif not argv:
        version = tuple(sys.version_info[:3])
        system, machine = platform.system(), platform.machine()
        bits = 8 * struct.calcsize("P")
    else:
        print("usage: check_python.py [--pretend VERSION SYSTEM MACHINE]", file=sys.stderr)
        return 2
    lines = problem(version, system, machine, bits)
    if not lines and not argv and not has_venv():
        lines = [
            "This Python (%d.%d) cannot make virtual environments: its `venv` module or"
            % version[:2],
            "pip's installer (ensurepip) is missing. On Debian or Ubuntu:",
            "  sudo apt install python%d.%d-venv" % version[:2],
        ]
    if lines:
        print("\n".join(lines), file=sys.stderr)
        if not argv:
            print("(Python used: %s)" % sys.executable, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
