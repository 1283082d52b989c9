"""Sentences for an 80-column terminal. Names are not split at their hyphens, as textwrap's
default splits `cronsuite-statistics`: a person copies names from here into kubectl."""

import textwrap

WIDTH = 80


def wrapped(text: str, first: str = "") -> list[str]:
    """`text` after `first`, its next lines indented under the text's first word."""
    lines = textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=" " * len(first),
        break_on_hyphens=False,
    )
    return lines or [first]


def paragraph(text: str) -> str:
    return "\n".join(wrapped(text))
