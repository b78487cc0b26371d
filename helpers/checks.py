"""Small tests of a value, shared by the helpers' error messages.

- `is_whole_number`: an int (numpy's too), not a bool, of at least some minimum.
- `is_real_number`: a real number (numpy's too), not a bool.
- `describe_value`: a value in a few words, for an error message.

Python counts ``True`` as the number 1, so a slip such as ``steps=True`` would
otherwise pass as one step: every check here refuses bools.

>>> import numpy as np
>>> is_whole_number(np.int64(3), minimum=1), is_whole_number(True), is_whole_number(2.0)
(True, False, False)
>>> is_real_number(np.float32(0.5)), is_real_number(False)
(True, False)
"""

from __future__ import annotations

import numbers
import reprlib
from typing import Any

__all__ = ["is_whole_number", "is_real_number", "describe_value"]


def is_whole_number(value: Any, minimum: int = 0) -> bool:
    """Whether `value` is a whole number (numpy's included, not a bool) >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return False
    return bool(value >= minimum)


def is_real_number(value: Any) -> bool:
    """Whether `value` is a real number (numpy's included), not a bool (numpy's bool is
    no ``numbers.Real``). NaN and infinity count: callers that need finite say so."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def describe_value(value: Any) -> str:
    """A few words on what `value` is, for an error message.

    >>> describe_value(None), describe_value("abc"), describe_value(3), describe_value([1])
    ('None', "the text 'abc'", 'the number 3', 'list')
    """
    if value is None:
        return "None"
    if isinstance(value, str | bytes):
        return f"the text {reprlib.repr(value)}"
    if isinstance(value, numbers.Number):
        return f"the number {value!r}"
    return type(value).__name__
