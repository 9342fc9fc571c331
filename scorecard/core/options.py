"""The options a build runs with: where to read and write, and how strict to be.

They come from `scorecard.yml` and the command line (`source/config.py`), and every layer may read
them without importing the build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scorecard.core.staleness import DEFAULT_MAX_AGE_DAYS

DEFAULT_WARNING_DAYS = 30
"""How many days before an exemption expires `check` starts to warn."""


@dataclass(frozen=True)
class BuildOptions:
    """Where to read and write, and how strict to be."""

    root: Path
    content_dir: Path
    output_dir: Path
    title: str = "Scorecard"
    description: str = ""
    strict: bool = False
    themes: tuple[Path, ...] = ()
    """Theme directories tried before the default theme."""
    stale_after_days: int = DEFAULT_MAX_AGE_DAYS
    """An assessment whose `date` is older than this is marked "Review due"."""
    expiry_warning_days: int = DEFAULT_WARNING_DAYS
    """How many days before an exemption expires `check` warns."""
    today: dt.date | None = None
    """The day staleness is judged on; None means the day the build runs (resolved once)."""
    base_url: str = ""
    """Absolute URL the site is published at (sitemap, feed); "" when unknown."""
    edit_url: str = ""
    """Pattern for "Edit this page" links, with {path} for the file's path from the site root; "" for none."""
    language: str = "en"
    """The `lang` of every page."""
    unsafe_html: bool = False
    """Let raw HTML in Markdown bodies through unescaped (unsafe: only for fully trusted authors)."""
    cache: bool = True
    """Reuse what the last build left in .scorecard-cache/ for files and pages that did not change."""
    map_across: str = ""
    """The section placing the portfolio map's points across (`map_across` in scorecard.yml); "" for `slates`."""
    map_up: str = ""
    """The section placing the portfolio map's points up (`map_up` in scorecard.yml); "" for `trust`."""

    @classmethod
    def at(cls, root: Path, **changes: Any) -> BuildOptions:
        """Options for the site at `root`, with the default content/ and output/ directories."""
        return replace(cls(root=root, content_dir=root / "content", output_dir=root / "output"), **changes)
