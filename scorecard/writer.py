"""The one place that writes the site to disk.

A build is written into a temporary directory beside the output and swapped in only when it is
complete, so a failed build leaves the previous site as it was. The output directory is only
ever replaced if this tool made it (it holds a marker file) or it is empty.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .diagnostics import Diagnostic, error

MARKER = ".scorecard-output"
"""Written into every output directory; its presence says the directory may be replaced."""


def check_output_dir(out_dir: Path, protected: list[Path]) -> list[Diagnostic]:
    """Problems that forbid writing the site to `out_dir`, before any work is done."""
    out = out_dir.resolve()
    for path in protected:
        p = path.resolve()
        if out == p or out in p.parents:
            return [error(str(out_dir), None, f"refusing to write the site to '{out_dir}': it would replace {path}",
                          "choose an output directory of its own, such as output/")]
    if out.exists() and not out.is_dir():
        return [error(str(out_dir), None, f"'{out_dir}' exists and is not a directory")]
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        return [error(str(out_dir), None, f"refusing to replace '{out_dir}': it was not made by scorecard",
                      f"empty it, or choose another --out; scorecard only replaces directories holding {MARKER}")]
    return []


def write_site(files: dict[str, bytes], out_dir: Path) -> None:
    """Write `files` (output path → bytes) as the new content of `out_dir`, atomically."""
    out = out_dir.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".new", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a site is for reading
    try:
        for relative, data in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (staging / MARKER).write_text("This directory is written by scorecard and replaced on every build.\n")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, old / "site")
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
