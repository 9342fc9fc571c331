"""The one place that writes the site to disk.

A build is written into a temporary directory beside the output and swapped in only when it is
complete, so a failed build leaves the previous site as it was. The output directory is only
ever replaced if this tool made it (it holds a marker file) or it is empty.

A file whose bytes did not change is not rewritten: the previous output's file is hard-linked
(or, where links are not possible, copied with its times) into the new directory, so it keeps
its modification time and rsync or an object-store sync uploads only what changed.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable

from .diagnostics import Diagnostic, error

MARKER = ".scorecard-output"
"""Written into every output directory; its presence says the directory may be replaced."""
MARKER_TEXT = b"This directory is written by scorecard and replaced on every build.\n"


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


def write_site(files: Iterable[tuple[str, bytes]], out_dir: Path, kept: Iterable[str] = ()) -> None:
    """Write `files` ((output path, bytes) pairs, each path once) as the new content of `out_dir`, atomically.

    The pairs are taken one at a time, so they can be made as they are written. If taking one
    raises, the exception goes on to the caller and the output is left as it was.

    `kept` names further output paths whose bytes are those of the previous output (the build
    cache knows they did not change); they are carried over without being rendered again.
    """
    out = out_dir.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".new", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a site is for reading
    for leftover in out.parent.glob(f".{glob.escape(out.name)}.*.old"):
        shutil.rmtree(leftover, ignore_errors=True)  # a previous output whose removal was cut short
    previous = out if (out / MARKER).is_file() else None
    made: set[Path] = {staging}
    try:
        for relative in kept:
            if previous is None or not carry_over(previous, staging, relative, made):
                raise OSError(f"cannot carry over {relative} from the previous output")
        for relative, data in itertools.chain(files, [(MARKER, MARKER_TEXT)]):
            target = staging / relative
            make_parent(target, made)
            if previous is None or not same_bytes(previous / relative, data) or not carry_over(previous, staging, relative, made):
                target.write_bytes(data)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, trash / "site")
            os.replace(staging, out)
            remove_in_background(trash)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


_removals: list[subprocess.Popen] = []


def remove_in_background(trash: Path) -> None:
    """Delete the previous output without waiting for it: on some disks each directory takes milliseconds.

    The site is already in place; if the removal is cut short, the next build finishes it.
    """
    for process in list(_removals):
        if process.poll() is not None:
            _removals.remove(process)
    try:
        _removals.append(subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(trash)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
    except OSError:
        shutil.rmtree(trash, ignore_errors=True)


def make_parent(target: Path, made: set[Path]) -> None:
    """Create the directory `target` goes in (remembering it, as mkdir per file is not free)."""
    parent = target.parent
    if parent not in made:
        parent.mkdir(parents=True, exist_ok=True)
        made.add(parent)


def same_bytes(path: Path, data: bytes) -> bool:
    """Whether the file at `path` holds exactly `data`."""
    try:
        if path.stat().st_size != len(data) or path.is_symlink():
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def carry_over(old: Path, staging: Path, relative: str, made: set[Path]) -> bool:
    """Put the previous output's file into the new output, keeping its times; False if it cannot."""
    source, target = old / relative, staging / relative
    make_parent(target, made)
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        try:
            shutil.copy2(source, target, follow_symlinks=False)
        except OSError:
            return False
    return True
