"""`scorecard serve`, driven over HTTP on a free loopback port: pages, the reload channel, errors, safety."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scorecard.commands.serve import EVENTS_PATH, SiteServer

WAIT = 20.0
"""Seconds to wait for a rebuild before failing (generous: the machine may be busy; not a timing test)."""


@pytest.fixture
def server(site: Path):
    (site / "scorecard.yml").write_text("title: Served site  # secret-7f3a: what a traversal would reach\n")
    running = SiteServer(site, "127.0.0.1", 0)
    running.start()
    yield running
    running.stop()


def get(server: SiteServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    """Send `path` exactly as given (no normalising of `..` by a client library)."""
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=WAIT)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8")
    finally:
        connection.close()


def eventually(check: Callable[[], bool]) -> None:
    """Wait until `check()` holds. An editor's save can reach the watcher as two bursts, so a test
    waits for what the user would see rather than for a number of rebuilds."""
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, "the site did not change as expected"
        time.sleep(0.05)


def wait_for_generation(server: SiteServer, generation: int) -> None:
    deadline = time.monotonic() + WAIT
    while server.state.generation < generation:
        assert time.monotonic() < deadline, "no rebuild after the change"
        time.sleep(0.02)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_binds_to_loopback_and_serves_the_site_with_the_reload_script(server):
    assert server.httpd.server_address[0] == "127.0.0.1"
    status, headers, body = get(server, "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>Served site</title>" in body
    assert f'new EventSource("{EVENTS_PATH}?since=1")' in body  # the first build is generation 1
    built = (server.output / "index.html").read_text()
    assert "EventSource" not in built  # the script is added when serving, not to the built files
    status, headers, body = get(server, "/static/style.css")
    assert status == 200 and headers["Content-Type"] == "text/css; charset=utf-8" and "EventSource" not in body
    status, _, body = get(server, "/assessments/beta/", "HEAD")
    assert status == 200 and body == ""


def test_a_folder_without_a_slash_redirects_and_there_are_no_listings(server):
    status, headers, _ = get(server, "/assessments/beta")
    assert (status, headers["Location"]) == (301, "/assessments/beta/")
    assert get(server, "/static/")[0] == 404  # a folder without index.html: no listing
    assert get(server, "/assessments/")[0] == 404
    assert get(server, "/no/such/page.html")[0] == 404


@pytest.mark.parametrize("path", [
    "/../scorecard.yml",
    "/%2e%2e/scorecard.yml",
    "/%2E%2E%2Fscorecard.yml",
    "/static/..%2f..%2fscorecard.yml",
    "/static/%2e%2e/%2e%2e/site/scorecard.yml",
    "/..%5c..%5cscorecard.yml",
    "/index.html%00.css",
    "//etc/passwd",
    "/%ff",
])
def test_paths_outside_the_output_are_refused(server, path):
    status, _, body = get(server, path)
    assert status == 404
    assert "secret-7f3a" not in body and "root:" not in body


def test_only_requests_addressed_to_loopback_are_answered(server):
    """A page of evil.example whose name was re-pointed at 127.0.0.1 (DNS rebinding) gets nothing."""
    host, port = server.httpd.server_address[:2]
    for name, expected in ((f"evil.example:{port}", 421), ("127.0.0.1", 421), (f"localhost:{port}", 200)):
        connection = http.client.HTTPConnection(host, port, timeout=WAIT)
        try:
            connection.putrequest("GET", "/", skip_host=True)
            connection.putheader("Host", name)
            connection.endheaders()
            response = connection.getresponse()
            assert response.status == expected, name
            assert (b"<html" in response.read()) == (expected == 200)
        finally:
            connection.close()


def test_a_symbolic_link_out_of_the_output_is_refused(server, site):
    (server.output / "leak.yml").symlink_to(site / "scorecard.yml")
    assert get(server, "/leak.yml")[0] == 404


def test_a_save_sends_a_reload_event_and_serves_the_new_page(server, site):
    host, port = server.httpd.server_address[:2]
    channel = http.client.HTTPConnection(host, port, timeout=WAIT)
    try:
        channel.request("GET", f"{EVENTS_PATH}?since=1")
        response = channel.getresponse()
        assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
        assert response.readline() == b"retry: 500\n"
        edit(site / "content/assessments/beta.md", "title: Beta loyalty points", "title: Beta loyalty stamps")
        lines = [response.readline() for _ in range(3)]
        assert lines[0] == b"\n" and lines[1] == b"event: reload\n" and lines[2].startswith(b"data: ")
    finally:
        channel.close()
    eventually(lambda: "Beta loyalty stamps" in get(server, "/assessments/beta/")[2])
    generation = server.state.generation
    assert generation >= 2 and f"?since={generation}" in get(server, "/assessments/beta/")[2]


def test_an_old_page_hears_at_once_that_it_is_out_of_date(server):
    host, port = server.httpd.server_address[:2]
    channel = http.client.HTTPConnection(host, port, timeout=WAIT)
    try:
        channel.request("GET", f"{EVENTS_PATH}?since=0")  # served before the build it would show
        response = channel.getresponse()
        assert [response.readline() for _ in range(4)][2:] == [b"event: reload\n", b"data: 1\n"]
    finally:
        channel.close()


def test_broken_yaml_shows_the_error_in_place_of_every_page_then_recovers(server, site):
    beta = site / "content/assessments/beta.md"
    # Line 2 of beta.md is its title; an unclosed [ is reported where it opens: column 8.
    edit(beta, "title: Beta loyalty points", "title: [Beta <b>loyalty</b> points")
    eventually(lambda: "beta.md:2:8" in get(server, "/")[2])
    for path in ("/", "/assessments/beta/", "/rubric/index.html"):
        status, _, body = get(server, path)
        assert status == 500
        assert "<code>content/assessments/beta.md:2:8</code> <strong>error</strong>: invalid YAML" in body
        assert "hint: close the [ … ] opened here" in body
        assert f"?since={server.state.generation}" in body  # the error page reloads itself on the next build too
    assert get(server, "/static/style.css")[0] == 200  # the last good build's files are still there
    edit(beta, "title: [Beta <b>loyalty</b> points", "title: Beta loyalty points, fixed")
    eventually(lambda: get(server, "/assessments/beta/")[0] == 200)
    assert "Beta loyalty points, fixed" in get(server, "/assessments/beta/")[2]


def test_an_error_is_escaped_on_the_error_page(server, site):
    edit(site / "content/assessments/beta.md", "status: proposed", "status: <script>x</script>")
    eventually(lambda: "unknown status" in get(server, "/")[2])
    status, _, body = get(server, "/")
    assert status == 500
    assert "unknown status &#x27;&lt;script&gt;x&lt;/script&gt;&#x27;" in body
    assert "<script>x</script>" not in body


def test_a_broken_config_and_a_missing_content_folder_are_shown_and_survived(server, site):
    (site / "scorecard.yml").write_text("title: Served site\ntitel: typo\n")
    eventually(lambda: "<code>scorecard.yml:2</code> <strong>error</strong>: unknown setting" in get(server, "/")[2])
    assert get(server, "/")[0] == 500
    (site / "scorecard.yml").write_text("title: Served again\n")
    eventually(lambda: "<title>Served again</title>" in get(server, "/")[2])
    (site / "content/rubric.yml").write_text("sections: {}\nbogus: [\n")
    eventually(lambda: "content/rubric.yml:" in get(server, "/")[2])
    assert get(server, "/")[0] == 500
    (site / "content/rubric.yml").unlink()
    eventually(lambda: get(server, "/")[0] == 200)


def test_a_theme_change_rebuilds(server, site):
    (site / "themes/ours/templates").mkdir(parents=True)
    (site / "scorecard.yml").write_text("theme: ours\n")
    eventually(lambda: server.options is not None and server.options.themes == (site.resolve() / "themes/ours",))
    (site / "themes/ours/templates/rubric.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Our rubric</h1>{% endblock %}\n')
    eventually(lambda: "<h1>Our rubric</h1>" in get(server, "/rubric/")[2])


def read_event(response: http.client.HTTPResponse) -> list[bytes]:
    """The lines of the next server-sent event (up to its blank line)."""
    lines = []
    while (line := response.readline()) not in (b"\n", b""):
        lines.append(line)
    return lines


def fetch_from(host: str, port: int, path: str) -> tuple[int, str]:
    """GET `path` from the server at `host`:`port`: the status and the text."""
    connection = http.client.HTTPConnection(host, port, timeout=WAIT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def test_a_new_users_session_init_serve_edit_break_fix_ctrl_c(tmp_path):
    """`scorecard init mysite && cd mysite && scorecard serve`, then edit, break and fix the example."""
    env = {**os.environ, "NO_COLOR": "1"}
    scorecard = [sys.executable, "-m", "scorecard"]
    subprocess.run([*scorecard, "init", "mysite"], cwd=tmp_path, env=env, check=True, capture_output=True)
    site = tmp_path / "mysite"
    example = site / "content/assessments/example.md"
    process = subprocess.Popen([*scorecard, "serve", "--port", "0"], cwd=site, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Serving "):
                break
        assert lines[0].startswith("Built 1 assessment: ") and ", 0 warnings, 0 errors, " in lines[0]
        host, port = lines[-1].split()[1].removeprefix("http://").rstrip("/").split(":")
        assert host == "127.0.0.1"

        def fetch(path: str) -> tuple[int, str]:
            return fetch_from(host, int(port), path)

        status, page = fetch("/assessments/example/")
        assert status == 200 and "<h1>Customer community forum</h1>" in page.replace("\n", "")
        channel = http.client.HTTPConnection(host, int(port), timeout=WAIT)
        try:
            channel.request("GET", f"{EVENTS_PATH}?since=1")
            events = channel.getresponse()
            assert read_event(events) == [b"retry: 500\n"]
            edit(example, "title: Customer community forum", "title: Customer forum, edited")
            assert read_event(events)[0] == b"event: reload\n"
            eventually(lambda: "Customer forum, edited" in fetch("/assessments/example/")[1])
            edit(example, "status: pilot", "status: [pilot")  # line 6, the [ at column 9
            assert read_event(events)[0] == b"event: reload\n"
            eventually(lambda: "<code>content/assessments/example.md:6:9</code>" in fetch("/assessments/example/")[1])
            assert fetch("/assessments/example/")[0] == 500
            edit(example, "status: [pilot", "status: pilot")
            assert read_event(events)[0] == b"event: reload\n"
            eventually(lambda: fetch("/assessments/example/")[0] == 200)
            assert "Customer forum, edited" in fetch("/assessments/example/")[1]
        finally:
            channel.close()
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=WAIT)[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "Traceback" not in rest and rest.rstrip().endswith("Stopped.")
    assert "content/assessments/example.md:6:9: error: invalid YAML" in rest


def test_a_busy_port_is_a_clear_error(site, monkeypatch):
    from click.testing import CliRunner

    from scorecard.commands.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.chdir(site)
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"scorecard serve: cannot listen on 127.0.0.1:{port}: " in result.output


def test_a_burst_of_saves_is_one_rebuild(server, site):
    beta = site / "content/assessments/beta.md"
    text = beta.read_text(encoding="utf-8")
    for n in range(5):  # an editor writing, renaming and touching a file in a few milliseconds
        beta.write_text(text.replace("Beta loyalty points", f"Beta loyalty points {n}"), encoding="utf-8")
    wait_for_generation(server, 2)
    time.sleep(0.5)  # longer than the debounce: a second rebuild would have started by now
    assert server.state.generation == 2
    assert "Beta loyalty points 4" in get(server, "/assessments/beta/")[2]


def test_a_failing_build_does_not_end_the_server(server, site, monkeypatch):
    def broken_build(options, reuse=None):
        raise RuntimeError("a bug")
    monkeypatch.setattr("scorecard.commands.serve.build", broken_build)
    edit(site / "content/assessments/beta.md", "Beta loyalty points", "Beta loyalty")
    eventually(lambda: "internal error while building: RuntimeError(&#x27;a bug&#x27;)" in get(server, "/")[2])
    assert get(server, "/")[0] == 500
    monkeypatch.undo()
    edit(site / "content/assessments/beta.md", "Beta loyalty", "Beta loyalty points")
    eventually(lambda: get(server, "/")[0] == 200)
