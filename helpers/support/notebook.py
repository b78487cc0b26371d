"""Notebook utilities: `show_video` (an mp4 inline), `show_source` (a helper's source)."""

from __future__ import annotations

import base64
import inspect
import os
import sys
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from IPython.display import HTML

from helpers.support.checks import describe_value, is_real_number
from helpers.support.recording import PARTIAL_SUFFIX


class VideoTooLargeError(ValueError):
    """Raised by `show_video` for a file too large to embed in a notebook."""


class MissingRegionError(LookupError):
    """Raised by `show_source` when the region asked for is not marked in the source."""


def source_of(obj: Any, region: str | None = None) -> str:
    """The source of `obj` (a function, class or method), whole or only `region`: the
    lines between ``# region: <region>`` and the next ``# endregion``, dedented."""
    source = textwrap.dedent(_python_source(obj))
    if region is None:
        return source
    lines = source.splitlines()
    marks = [i for i, line in enumerate(lines) if line.strip() == f"# region: {region}"]
    ends = [i for i, line in enumerate(lines) if line.strip() == "# endregion"]
    after = [i for i in ends if marks and i > marks[0]]
    if not marks or not after:
        named = sorted(
            line.strip().removeprefix("# region: ")
            for line in lines
            if line.strip().startswith("# region: ")
        )
        raise MissingRegionError(
            f"{getattr(obj, '__qualname__', obj)} has no region {region!r} marked by "
            f"'# region: {region}' ... '# endregion' (its regions: {named or 'none'}). "
            f"Mark it in the source, or show the whole of it with show_source(obj)."
        )
    return textwrap.dedent("\n".join(lines[marks[0] + 1 : after[0]])) + "\n"


def _python_source(obj: Any) -> str:
    """The source of `obj`, or an error that says what to pass instead."""
    if isinstance(obj, str):
        raise TypeError(
            f"show_source needs the function, class or method itself, not its name as text: "
            f"write show_source({obj.strip(chr(39) + chr(34))}), without quotes."
        )
    if inspect.isbuiltin(obj) or inspect.ismethoddescriptor(obj):
        raise TypeError(
            f"{getattr(obj, '__qualname__', obj)} is built into Python or a compiled library: "
            f"it has no Python source to show. show_source shows the functions, classes and "
            f"methods written in Python, such as those of helpers."
        )
    if not (inspect.isfunction(obj) or inspect.ismethod(obj) or inspect.isclass(obj)):
        if inspect.ismodule(obj):
            return inspect.getsource(obj)
        kind = type(obj)
        own = kind.__module__.split(".")[0] not in {*sys.stdlib_module_names, "numpy"}
        shown = describe_value(obj) if obj is None or is_real_number(obj) else f"a {kind.__name__}"
        fix = (
            f"To see its code, pass its class: show_source({kind.__name__})."
            if own
            else "Pass one such as show_source(run_job)."
        )
        raise TypeError(f"show_source shows a function, class or method; got {shown}. {fix}")
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError) as err:
        name = getattr(obj, "__qualname__", repr(obj))
        raise TypeError(
            f"The source of {name} cannot be found ({err}): it was not written in a file "
            f"Python can read back (typed in an interactive prompt, or compiled). Show "
            f"something defined in a file or a notebook cell."
        ) from None


def show_source(obj: Any, region: str | None = None) -> None:
    """Print the source of `obj` (a function, class or method) whole, or only the
    region of it marked ``# region: <region>`` ... ``# endregion``."""
    print(source_of(obj, region), end="")


def _check_video_file(path: Any) -> Path:
    """The path of a finished mp4 to show (or an episode's ``"video"``), or a clear error."""
    if isinstance(path, Mapping):
        if "video" not in path:
            raise TypeError(
                f"show_video got a dict without a 'video' key (its keys: "
                f"{', '.join(map(repr, path))}). Pass the path of an mp4 file, such as "
                f'result.videos[0] or an episode\'s episode["video"].'
            )
        path = path["video"]
    if path is None:
        raise FileNotFoundError(
            "There is no video to show (the path is None): that episode was not recorded. "
            "Pass record_video=True to run_job to record every episode."
        )
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"show_video needs the path of an mp4 file (such as result.videos[0]), "
            f"got {type(path).__name__}."
        )
    path = Path(path)
    if path.name.endswith(PARTIAL_SUFFIX):
        raise ValueError(
            f"{path.name} is a video still being written, or left unfinished by a recording "
            f"that stopped: it may not play. Show the finished .mp4 (result.videos) instead."
        )
    if not path.is_file():
        raise FileNotFoundError(
            f"No video file at {str(path)!r}. Check the path, "
            f"or run the cell that records it first."
        )
    with open(path, "rb") as file:
        if file.read(8)[4:8] != b"ftyp":
            raise ValueError(
                f"{path.name} is not an mp4 video: show_video plays the mp4 files that "
                f"run_job records (result.videos)."
            )
    return path


def _check_listed_video(index: int, path: Any) -> Path:
    """`_check_video_file` for the item `index` of a list: an episode not filmed is named."""
    if path is None or (isinstance(path, Mapping) and path.get("video", "") is None):
        raise FileNotFoundError(
            f"Item {index} of the list has no video (None): that episode was not recorded. "
            f"Pass result.videos, which lists the recorded videos only."
        )
    return _check_video_file(path)


def show_video(
    path: str | bytes | os.PathLike[str] | Mapping[str, Any] | Iterable[Any] | None,
    width: float = 480,
    *,
    max_megabytes: float = 20.0,
) -> HTML:
    """Show an mp4 (or each of a list) inline, as a base64 data URI on the ``<video>``'s own
    ``src``, which JupyterLab keeps in an untrusted notebook (not a ``<source>``'s)."""
    if not is_real_number(width) or not 1 <= width < float("inf"):
        raise TypeError(f"width must be a number of pixels, such as 480; got {width!r}.")
    if not is_real_number(max_megabytes) or not max_megabytes > 0:
        raise TypeError(
            f"max_megabytes must be a positive number, such as 20 (the default); "
            f"got {max_megabytes!r}."
        )
    if path is not None and not isinstance(path, str | bytes | os.PathLike | Mapping):
        if not isinstance(path, Iterable):
            _check_video_file(path)  # raises its clear error
        paths = [_check_listed_video(index, one) for index, one in enumerate(path)]
        if not paths:
            raise ValueError("The list of videos is empty: there is no video to show.")
    else:
        paths = [_check_video_file(path)]
    megabytes = sum(one.stat().st_size for one in paths) / 1e6
    if megabytes > max_megabytes:
        what = paths[0].name if len(paths) == 1 else f"These {len(paths)} videos"
        raise VideoTooLargeError(
            f"{what} {'is' if len(paths) == 1 else 'are'} {megabytes:.1f} MB: embedded in the "
            f"notebook it would make the page slow or freeze the browser. Open the file itself, "
            f"record a shorter episode, or pass max_megabytes={int(megabytes) + 1} if you "
            f"really want it inline."
        )
    return HTML(
        "".join(
            f'<video src="data:video/mp4;base64,{base64.b64encode(one.read_bytes()).decode()}" '
            f'width="{int(width)}" controls loop muted playsinline></video>'
            for one in paths
        )
    )
