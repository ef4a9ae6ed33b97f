"""What a user's type checker sees of the results: checked by mypy in .ci/python (with
``--warn-unused-ignores``, so each ``type: ignore`` below must be needed), never run."""

from __future__ import annotations

import pathlib

from typing_extensions import assert_type

import stemma


def read(c: stemma.Comparison, ix: stemma.Index) -> None:
    assert_type(c.passages[0].a.start, int)
    assert_type(c.passages[0].a_diffs, "list[stemma.Span]")
    span = stemma.Span(0, 4, char_start=0, char_end=4)  # built as a dataclass is
    assert_type(span.tokens, "int | None")
    span.start = 1  # type: ignore[misc]  # frozen
    stemma.Span(0, 4)  # type: ignore[call-arg]  # char_start and char_end are required
    assert_type(ix.trace(pathlib.Path("draft.txt")).sources[0].share, float)
    assert_type(ix.trace(pathlib.Path("draft.txt")).by_closeness[0].closeness, float)
    assert_type(stemma.diff("a", "b").changes[0].kind, str)
