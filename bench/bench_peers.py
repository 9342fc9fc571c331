"""scorecard beside Hugo and Eleventy on the same bodies: the three ratios of issue 17.

    python bench/bench_peers.py [--sizes 1000 4000] [--repeat 3] [--keep DIR]

For each size it writes the benchmark corpus (bench/corpus.py) and, from the same assessment files,
a Hugo site and an Eleventy site holding the same Markdown bodies (a page per assessment with its
title, and an index page listing them all). Each tool builds in a fresh process, best of `--repeat`:

  Eleventy cold   no output (Eleventy keeps no cache between runs)
  Hugo cold       no output, no resources/ folder
  scorecard cold  no output, no cache (`scorecard build`, as bench/bench_build.py runs it)
  scorecard no-op again, nothing changed
  scorecard edit  one assessment's score and a sentence of its body changed, the first build after it

and prints the targets: cold ≤ 1.0× Eleventy's cold build, edit ≤ 0.4× Hugo's cold build, no-op ≤ 0.25×
Hugo's cold build, in wall time, with the load average before and after each size; for a target
missed, the time it allows and where scorecard's run spent its time (the build's stages, as
`--timings` gives them, and "outside": starting Python, reading options, printing and exiting). Each ratio is also
given in CPU time (user and system, the process and its children: steadier than wall time on a shared
machine, but not what the targets are about; Hugo uses every core, so its CPU time exceeds its wall time).

The peers come from the package registries, installed by this script when missing: Hugo is Debian's
`hugo` package (`apt-get install -y hugo`, run when `hugo` is not on the PATH and this runs as root;
otherwise it says what to run), Eleventy is the npm package `@11ty/eleventy` at the version below, put
in bench/.peers/ (ignored by git) with `npm install --prefix` (needs Node.js 18 or newer and npm).
Not part of the test suite: figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import as_installed, edit_one, machine, run_build
from corpus import write_corpus

HERE = Path(__file__).resolve().parent

ELEVENTY = "@11ty/eleventy@3.1.8"
PEERS = HERE / ".peers"
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass(frozen=True)
class Peers:
    hugo: str
    eleventy: str


def install_peers() -> Peers:
    """Hugo (Debian) and Eleventy (npm, bench-local): found or installed; what runs each."""
    hugo = shutil.which("hugo")
    if hugo is None:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            print("installing Debian's hugo package (apt-get install -y hugo)", file=sys.stderr)
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], check=True,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            hugo = shutil.which("hugo")
        if hugo is None:
            raise SystemExit("Hugo is missing: install Debian's package (sudo apt-get install hugo) and run again")
    eleventy = PEERS / "node_modules" / ".bin" / "eleventy"
    if not eleventy.exists():
        if shutil.which("npm") is None:
            raise SystemExit("npm is missing: install Node.js 18 or newer with npm (apt-get install nodejs npm)")
        print(f"installing {ELEVENTY} into {PEERS} (npm install --prefix)", file=sys.stderr)
        PEERS.mkdir(exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(PEERS), "--no-audit", "--no-fund", "--silent", ELEVENTY],
                       check=True)
    return Peers(hugo, str(eleventy))


def version(command: list[str]) -> str:
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    return (result.stdout or result.stderr).strip().splitlines()[0] if result.returncode == 0 else "?"


def bodies(site: Path) -> list[tuple[str, str, str]]:
    """(slug, title, Markdown body) of each assessment of the corpus at `site`."""
    found = []
    for path in sorted((site / "content" / "assessments").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        match = FRONT.match(text)
        assert match, path
        title = re.search(r"^title: (.*)$", match.group(1), re.MULTILINE).group(1)  # type: ignore[union-attr]
        found.append((path.stem, title, text[match.end():]))
    return found


def write_hugo(root: Path, pages: list[tuple[str, str, str]]) -> None:
    """A Hugo site: the same bodies, a page each with its title, and a list page of them all."""
    (root / "content" / "assessments").mkdir(parents=True)
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "hugo.toml").write_text('baseURL = "/"\ntitle = "Scorecard"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "404", "robotsTXT"]\n'
                                    '[markup.goldmark.renderer]\nunsafe = false\n', encoding="utf-8")
    (root / "layouts" / "_default" / "baseof.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
        '<body><main>{{ block "main" . }}{{ end }}</main></body></html>\n', encoding="utf-8")
    (root / "layouts" / "_default" / "single.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n', encoding="utf-8")
    (root / "layouts" / "_default" / "list.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Site.RegularPages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n', encoding="utf-8")
    for slug, title, body in pages:
        (root / "content" / "assessments" / f"{slug}.md").write_text(
            f"---\ntitle: {json.dumps(title)}\n---\n{body}", encoding="utf-8")


def write_eleventy(root: Path, pages: list[tuple[str, str, str]]) -> None:
    """An Eleventy site: the same bodies, a page each with its title (a Nunjucks layout), and a list page."""
    (root / "src" / "assessments").mkdir(parents=True)
    (root / "src" / "_includes").mkdir(parents=True)
    (root / "src" / "_includes" / "page.njk").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>'
        '<body><main><h1>{{ title }}</h1>{{ content | safe }}</main></body></html>\n', encoding="utf-8")
    (root / "src" / "assessments" / "assessments.json").write_text(
        '{"layout": "page.njk", "tags": "assessment"}\n', encoding="utf-8")
    (root / "src" / "index.njk").write_text(
        '---\ntitle: Scorecard\n---\n<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}'
        '</title></head><body><main><h1>{{ title }}</h1><ul>{% for page in collections.assessment %}'
        '<li><a href="{{ page.url }}">{{ page.data.title }}</a></li>{% endfor %}</ul></main></body></html>\n',
        encoding="utf-8")
    for slug, title, body in pages:
        (root / "src" / "assessments" / f"{slug}.md").write_text(
            f"---\ntitle: {json.dumps(title)}\n---\n{body}", encoding="utf-8")


@dataclass(frozen=True)
class Took:
    """One build: wall time (what the targets compare) and CPU time of the process and its children."""

    wall: float
    cpu: float
    stages: tuple[tuple[str, float], ...] = ()
    """scorecard's own runs: seconds per stage of the build (`--timings`), and the rest of the command
    (starting Python, reading the options, printing, exiting) as "outside"."""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path) -> Took:
    cpu, started = children_cpu(), time.perf_counter()
    result = subprocess.run(command, check=False, cwd=cwd, capture_output=True, text=True, env=as_installed())
    took = Took(time.perf_counter() - started, children_cpu() - cpu)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{(result.stdout + result.stderr)[-3000:]}")
    return took


def scorecard_build(site: Path) -> Took:
    cpu = children_cpu()
    run = run_build(site, None)
    stages = (*((name, seconds) for name, seconds in run["stages"].items() if name != "cache"),
              ("outside", run["wall"] - run["build"]))
    return Took(run["wall"], children_cpu() - cpu, stages)


def best(runs: list[Took]) -> Took:
    """The fastest run by wall time (with its stages), and the least CPU time of any run."""
    fastest = min(runs, key=lambda r: r.wall)
    return Took(fastest.wall, min(r.cpu for r in runs), fastest.stages)


def where(took: Took) -> str:
    """Where a run's time went, largest first: what a missed target would have to lose."""
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in sorted(took.stages, key=lambda s: -s[1])
                     if seconds >= 0.005)


def hugo_cold(peers: Peers, root: Path) -> Took:
    for leftover in ("public", "resources", ".hugo_build.lock"):
        shutil.rmtree(root / leftover, ignore_errors=True)
    return timed([peers.hugo, "--quiet", "--source", str(root), "--destination", str(root / "public")], root)


def eleventy_cold(peers: Peers, root: Path) -> Took:
    shutil.rmtree(root / "_site", ignore_errors=True)
    return timed([peers.eleventy, "--quiet", "--input=src", "--output=_site"], root)


def scorecard_runs(site: Path, total: int, repeat: int) -> dict[str, Took]:
    """Best of `repeat` (cold, no-op, edit), each round from a site without output or cache."""
    runs: dict[str, list[Took]] = {"cold": [], "no-op": [], "edit": []}
    for round_ in range(repeat):
        for leftover in ("output", ".output.spare", ".scorecard-cache"):
            shutil.rmtree(site / leftover, ignore_errors=True)
        runs["cold"].append(scorecard_build(site))
        runs["no-op"].append(scorecard_build(site))
        edit_one(site, total, total // 2 + round_)  # another assessment each round
        runs["edit"].append(scorecard_build(site))
    return {name: best(took) for name, took in runs.items()}


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def verdict(ratio: float, target: float) -> str:
    return "met" if ratio <= target else f"MISSED by {ratio / target:.2f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--repeat", type=int, default=3, help="builds of each kind; the best counts")
    parser.add_argument("--keep", type=Path, default=None, help="generate the sites here and keep them")
    args = parser.parse_args()
    peers = install_peers()
    print(f"machine: {machine()}")
    print(f"peers: {version([peers.hugo, 'version'])}; Eleventy {version([peers.eleventy, '--version'])}; "
          f"Node.js {version(['node', '--version'])}")
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="scorecard-peers-"))
    try:
        for total in args.sizes:
            before = load()
            base = scratch / f"peers-{total}"
            shutil.rmtree(base, ignore_errors=True)
            site = base / "scorecard"
            write_corpus(site, total)
            pages = bodies(site)
            write_hugo(base / "hugo", pages)
            write_eleventy(base / "eleventy", pages)
            eleventy = best([eleventy_cold(peers, base / "eleventy") for _ in range(args.repeat)])
            hugo = best([hugo_cold(peers, base / "hugo") for _ in range(args.repeat)])
            ours = scorecard_runs(site, total, args.repeat)
            print(f"\n{total} assessments, best of {args.repeat} (load average {before} before, {load()} after);"
                  " wall time (CPU time of the process and its children):")
            print(f"  Eleventy cold   {eleventy.wall:6.2f} s ({eleventy.cpu:6.2f})   Hugo cold "
                  f"{hugo.wall:6.2f} s ({hugo.cpu:6.2f})")
            print(f"  scorecard cold  {ours['cold'].wall:6.2f} s ({ours['cold'].cpu:6.2f})   "
                  f"no-op {ours['no-op'].wall:6.2f} s ({ours['no-op'].cpu:5.2f})   "
                  f"edit one {ours['edit'].wall:6.2f} s ({ours['edit'].cpu:5.2f})")
            for name, mine, peer_name, peer, target in (
                    ("cold", ours["cold"], "Eleventy cold", eleventy, 1.0),
                    ("edit one", ours["edit"], "Hugo cold", hugo, 0.4),
                    ("no-op", ours["no-op"], "Hugo cold", hugo, 0.25)):
                ratio = mine.wall / peer.wall
                print(f"  {name:8s} / {peer_name:13s} = {ratio:5.2f}×  (target ≤ {target:.2f}×: "
                      f"{verdict(ratio, target)}; "
                      f"in CPU time {mine.cpu / peer.cpu:5.2f}×)")
                if ratio > target:  # why: where the run's time went, against the time the target allows
                    print(f"      the target allows {peer.wall * target:.2f} s; the {mine.wall:.2f} s went to: "
                          f"{where(mine)}")
            if not args.keep:
                shutil.rmtree(base, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
