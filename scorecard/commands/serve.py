"""`scorecard serve`: build, serve the site on loopback, rebuild on every save, reload open pages.

The site is built into a temporary directory that lives as long as the server, so `serve` never
replaces the published output/ with a half-edited site. watchdog reports changes to scorecard.yml
(the site root is watched without its sub-folders, so .git/, .venv/ and output/ cost nothing), the
content directory and themes/; a burst of saves is debounced into one rebuild. Each rebuild bumps
a generation number that open pages hear about on a server-sent-events channel, through a small
script added to HTML responses here, never to the built files. While the content has errors every
page shows them instead of the site; the server itself never stops because of the content.
"""

from __future__ import annotations

import contextlib
import html
import mimetypes
import shutil
import socket
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from watchdog.events import (
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from scorecard.commands.terminal import build_summary
from scorecard.core.diagnostics import Diagnostic, error, visible
from scorecard.core.options import BuildOptions
from scorecard.incremental.cache import reuse_for
from scorecard.pipeline.build import BuildResult, build
from scorecard.pipeline.reuse import Reuse
from scorecard.source.config import CONFIG_FILE, load_config, options_for, theme_problems

EVENTS_PATH = "/__scorecard__/events"
"""The reload channel: a text/event-stream that sends `event: reload` after each rebuild."""

DEBOUNCE_SECONDS = 0.1
"""A rebuild starts once no change has come for this long (editors write a file in several steps)."""
MAX_DELAY_SECONDS = 0.5
"""…but no later than this after the first change of a burst."""
KEEPALIVE_SECONDS = 15.0
MAX_CONNECTIONS = 64
"""Connections served at once; one more is closed at once (600 idle ones held 607 threads)."""
READ_TIMEOUT_SECONDS = 20.0
"""A connection that sends nothing for this long is closed (an open reload channel writes every 15 s)."""
MAX_SEGMENT_BYTES = 255
"""The longest file name a file system takes: a longer URL segment names no file (and made realpath fail)."""
"""A comment line on idle reload channels, so a closed tab is noticed and its thread ends."""

LOOPBACK = frozenset({"127.0.0.1", "::1"})

CHANGE_EVENTS = frozenset({EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MODIFIED, EVENT_TYPE_MOVED})
"""Reading a file (opened, closed without writing) is not a change: the build reads them all."""


def reload_script(generation: int) -> str:
    """The script added before </body> of served pages: reload when a newer build is announced."""
    return (f'<script>/* added by scorecard serve, not part of the site */ (function () {{'
            f' var events = new EventSource("{EVENTS_PATH}?since={generation}");'
            f' events.addEventListener("reload", function () {{ events.close(); location.reload(); }});'
            f' }})();</script>\n')


def inject(page: bytes, script: str) -> bytes:
    """`page` with `script` placed before its last </body>, or at the end when it has none."""
    marker = b"</body>"
    at = page.rfind(marker)
    if at < 0:
        return page + script.encode("utf-8")
    return page[:at] + script.encode("utf-8") + page[at:]


def error_page(diagnostics: list[Diagnostic], generation: int) -> bytes:
    """A page listing the build's errors (and warnings) in place of the site, every text escaped."""
    items = []
    for d in sorted(diagnostics, key=lambda d: not d.is_error):  # errors first, each group in reading order
        hint = f'<br><span class="hint">hint: {html.escape(d.hint)}</span>' if d.hint else ""
        items.append(f'<li class="{d.severity.value}"><code>{html.escape(d.location())}</code> '
                     f'<strong>{d.severity.value}</strong>: {html.escape(d.message)}{hint}</li>')
    errors = sum(1 for d in diagnostics if d.is_error)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<title>Build failed · scorecard serve</title>\n<style>'
        'body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}'
        'li{margin:.5rem 0}code{font-weight:bold}.error strong{color:#b00020}.warning strong{color:#8a5a00}'
        '.hint{color:#444}</style>\n</head>\n<body>\n'
        f'<h1>The site could not be built: {errors} error{"" if errors == 1 else "s"}</h1>\n'
        '<p>Fix the file and save it: this page reloads by itself.</p>\n'
        f'<ul>\n{"".join(item + chr(10) for item in items)}</ul>\n'
        f'{reload_script(generation)}</body>\n</html>\n'
    ).encode()


@dataclass(frozen=True)
class BuildState:
    """The outcome of the latest build, as the request handlers see it."""

    generation: int
    """Counts builds, successful or not; pages reload when it moves past the one they were served at."""
    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    result: BuildResult | None = None


class SiteServer:
    """The development server: a build in a temporary directory, an HTTP server and a watcher."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000,
                 overrides: dict[str, Any] | None = None, log: Callable[[str, str | None], None] | None = None,
                 log_requests: bool = False):
        server_class = IPv6Server if ":" in host else CappedServer
        self.httpd = server_class((host, port), make_handler(self))  # first: a busy port leaves nothing behind
        self.httpd.daemon_threads = True
        self.root = root.resolve()
        self.overrides = dict(overrides or {})
        shown = log or (lambda text, colour: None)
        self.log: Callable[[str, str | None], None] = lambda text, colour: shown(visible(text), colour)
        """Everything logged is made visible: file names and request lines come from authors and clients."""
        self.log_requests = log_requests
        self.workdir = Path(tempfile.mkdtemp(prefix="scorecard-serve-"))
        self.output = self.workdir / "site"
        self.site_lock = threading.Lock()
        """Held while a build writes the output and while a request reads it."""
        self.changed = threading.Condition()
        self.state = BuildState(0, False, ())
        self.stopping = False
        self.pending: set[str] = set()
        self.last_change = 0.0
        self.options: BuildOptions | None = None
        self.reuse: Reuse | None = None
        self.observer = Observer()
        self.threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        assert isinstance(host, str)  # an AF_INET or AF_INET6 socket's name
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    def host_allowed(self, host_header: str) -> bool:
        """On loopback, only requests addressed to loopback: a web page whose own name was pointed at
        127.0.0.1 (DNS rebinding) must not read the site; listening wider, any name may be used."""
        host, port = self.httpd.server_address[:2]
        if host not in LOOPBACK:
            return True
        names = ("127.0.0.1", "localhost", "[::1]")
        allowed = {f"{name}:{port}" for name in names} | (set(names) if port == 80 else set())
        return host_header.lower() in allowed

    # --- building ----------------------------------------------------------------------------

    def rebuild(self) -> BuildState:
        """Read the configuration again, build into the temporary output and announce the result."""
        config, diagnostics = load_config(self.root)
        diagnostics += theme_problems(self.root, config)
        options = replace(options_for(self.root, config, **self.overrides), output_dir=self.output)
        if options != self.options:  # before building: a build that raises must not leave nothing watched
            self.watch(options)
        result = None
        started = time.perf_counter()
        if not any(d.is_error for d in diagnostics):
            if self.reuse is None:  # one for every build of this server: what it saved need not be read back
                self.reuse = reuse_for(options)
            with self.site_lock:
                result = build(options, self.reuse)
            diagnostics += result.diagnostics
        seconds = time.perf_counter() - started
        ok = result is not None and result.ok
        previous = self.state.diagnostics
        with self.changed:
            self.state = BuildState(self.state.generation + 1, ok, tuple(diagnostics), result)
            self.changed.notify_all()
        self.report(self.state, previous, seconds)
        return self.state

    def report(self, state: BuildState, previous: tuple[Diagnostic, ...], seconds: float) -> None:
        """Diagnostics when they differ from the last build's (not the same warnings on every save), and the summary."""
        if state.diagnostics != previous:
            for d in state.diagnostics:
                self.log(d.format(), "red" if d.is_error else "yellow")
        if state.result is not None:
            self.log(build_summary(state.result, None, seconds), None if state.ok else "red")
        else:
            self.log(f"{CONFIG_FILE} has errors; the pages show them until it is fixed.", "red")

    # --- watching ----------------------------------------------------------------------------

    def watch(self, options: BuildOptions) -> None:
        """Watch scorecard.yml, the content directory and themes/ (again, when the config moved them)."""
        self.options = options
        self.observer.unschedule_all()
        handler = ChangeHandler(self)
        self.observer.schedule(handler, str(self.root), recursive=False)
        for folder in {options.content_dir.resolve(), (self.root / "themes").resolve()}:
            if folder.is_dir() and folder != self.root:
                self.observer.schedule(handler, str(folder), recursive=True)

    def note_change(self, path: str) -> None:
        with self.changed:
            self.pending.add(path)
            self.last_change = time.monotonic()
            self.changed.notify_all()

    def rebuild_on_changes(self) -> None:
        """The watcher's loop: wait for a change, let the burst settle, rebuild."""
        while True:
            with self.changed:
                while not self.pending and not self.stopping:
                    self.changed.wait()
                if self.stopping:
                    return
                first = time.monotonic()
                while True:  # debounce: until no change for a moment, or the longest delay
                    remaining = min(self.last_change + DEBOUNCE_SECONDS, first + MAX_DELAY_SECONDS) - time.monotonic()
                    if remaining <= 0:
                        break
                    self.changed.wait(remaining)
                    if self.stopping:
                        return
                paths, self.pending = sorted(self.pending), set()
            self.log("changed: " + ", ".join(display(p, self.root) for p in paths), None)
            self.rebuild_safely()

    def serve_http(self) -> None:
        """Answer requests until stop(), which waits up to one poll."""
        self.httpd.serve_forever(poll_interval=0.1)

    def rebuild_safely(self) -> None:
        """rebuild(), with a bug in the build shown on the pages instead of ending the session."""
        try:
            self.rebuild()
        except Exception as exc:
            self.log(f"internal error while building: {exc!r}", "red")
            with self.changed:
                self.state = BuildState(self.state.generation + 1, False,
                                        (error("", None, f"internal error while building: {exc!r}",
                                               "please report it; the server keeps running"),))
                self.changed.notify_all()

    # --- running -----------------------------------------------------------------------------

    def start(self) -> None:
        """Build once, then serve and watch in background threads."""
        self.rebuild_safely()
        self.observer.start()
        for target in (self.serve_http, self.rebuild_on_changes):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        """Stop watching and serving, end the reload channels, remove the temporary output."""
        with self.changed:
            self.stopping = True
            self.changed.notify_all()
        self.observer.stop()
        if self.threads:  # shutdown() waits for serve_forever, so only once it runs
            self.httpd.shutdown()
        self.httpd.server_close()
        if self.observer.is_alive():
            self.observer.join()
        for thread in self.threads:
            thread.join()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # --- answering requests ------------------------------------------------------------------

    def resolve(self, url_path: str) -> Path | None:
        """The file under the output directory that `url_path` names, or None when it names none.

        Refused: `..` and `.` segments (also percent-encoded), NUL bytes, and anything whose real
        path (after symbolic links) lies outside the output directory.
        """
        decoded = urllib.parse.unquote(url_path, errors="strict")
        if "\x00" in decoded or "\\" in decoded:
            return None
        parts = [part for part in decoded.split("/") if part]
        if any(part in (".", "..") or len(part.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES for part in parts):
            return None
        base = self.output.resolve()
        try:
            target = base.joinpath(*parts).resolve()
        except OSError:  # a path too long for the system, say: it names no file
            return None
        if target != base and base not in target.parents:
            return None
        return target


class CappedServer(ThreadingHTTPServer):
    """A thread per connection, up to MAX_CONNECTIONS; beyond, a new connection is closed at once."""

    daemon_threads = True
    request_queue_size = 128  # the listen backlog (5 by default): a burst beyond it waits for SYN retries

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class IPv6Server(CappedServer):
    address_family = socket.AF_INET6


def display(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


class ChangeHandler(FileSystemEventHandler):
    """Turns watchdog's events into pending changes, ignoring reads and editors' scratch files."""

    def __init__(self, server: SiteServer):
        self.server = server

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGE_EVENTS or (event.is_directory and event.event_type == EVENT_TYPE_MODIFIED):
            return  # a folder is "modified" whenever a file in it is; the file's own event says which
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = raw.decode() if isinstance(raw, bytes) else raw
            if path and self.relevant(Path(path)):
                self.server.note_change(path)

    def relevant(self, path: Path) -> bool:
        name = path.name
        if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
            return False
        if path.parent == self.server.root:  # the root is watched only for the configuration
            return name == CONFIG_FILE
        return path != self.server.root


def make_handler(server: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(SiteRequestHandler):
        site = server
    return Handler


class SiteRequestHandler(BaseHTTPRequestHandler):
    """GET and HEAD of the built files, the error page while the build is broken, and the reload channel."""

    site: SiteServer
    server_version = "scorecard-serve"
    timeout = READ_TIMEOUT_SECONDS  # socketserver's name: every read of the connection gives up after this

    def do_GET(self) -> None:  # the name http.server calls
        self.respond(head=False)

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def respond(self, head: bool) -> None:
        if not self.site.host_allowed(self.headers.get("Host", "")):
            self.send_text(HTTPStatus.MISDIRECTED_REQUEST, "This server answers only to its own address.\n", head)
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path == EVENTS_PATH:
            self.reload_channel(url.query)
            return
        try:
            target = self.site.resolve(url.path)
        except UnicodeDecodeError:
            target = None
        if target is None:
            self.send_text(HTTPStatus.NOT_FOUND, "Not found.\n", head)
            return
        state = self.site.state
        is_page = url.path.endswith(("/", ".html")) or "." not in url.path.rsplit("/", 1)[-1]
        if not state.ok and is_page:
            self.send_bytes(HTTPStatus.INTERNAL_SERVER_ERROR, error_page(list(state.diagnostics), state.generation),
                            "text/html; charset=utf-8", head)
            return
        try:
            self.send_file(url, target, state, head)
        except OSError:  # a name the system refuses, or the client went away: never a traceback in the log
            with contextlib.suppress(OSError):
                self.send_text(HTTPStatus.NOT_FOUND, "Not found.\n", head)

    def send_file(self, url: urllib.parse.SplitResult, target: Path, state: BuildState, head: bool) -> None:
        """The built file `target` (a folder's index.html, the 404 page when there is none)."""
        with self.site.site_lock:
            if target.is_dir():
                if not url.path.endswith("/"):
                    self.redirect(url.path + "/" + (f"?{url.query}" if url.query else ""))
                    return
                target = target / "index.html"
            status = HTTPStatus.OK
            if not target.is_file():
                status, target = HTTPStatus.NOT_FOUND, self.site.output / "404.html"
                if not target.is_file():
                    self.send_text(HTTPStatus.NOT_FOUND, "Not found.\n", head)
                    return
            data = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = inject(data, reload_script(state.generation))
        if kind.startswith("text/") or kind in ("application/json", "application/xml", "application/javascript"):
            kind += "; charset=utf-8"
        self.send_bytes(status, data, kind, head)

    def reload_channel(self, query: str) -> None:
        """Server-sent events: `event: reload` as soon as the generation differs from `since`."""
        try:
            since = int(urllib.parse.parse_qs(query).get("since", ["0"])[0])
        except ValueError:
            since = 0
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        changed = self.site.changed
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while True:
                with changed:
                    stopping, generation = self.wait_for_build(since)
                if stopping:
                    return
                if generation != since:
                    self.wfile.write(f"event: reload\ndata: {generation}\n\n".encode())
                    since = generation
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except OSError:  # the tab was closed or reloaded
            return

    def wait_for_build(self, since: int) -> tuple[bool, int]:
        """(stopping, generation) once either moves on from `since`, or after the keep-alive time."""
        site = self.site
        site.changed.wait_for(lambda: site.stopping or site.state.generation != since, timeout=KEEPALIVE_SECONDS)
        return site.stopping, site.state.generation

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_text(self, status: HTTPStatus, text: str, head: bool) -> None:
        self.send_bytes(status, text.encode("utf-8"), "text/plain; charset=utf-8", head)

    def send_bytes(self, status: HTTPStatus, data: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # http.server's name
        if self.site.log_requests:
            self.site.log(f"{self.address_string()} {format % args}", None)


def serve(root: Path, host: str, port: int, overrides: dict[str, Any],
          log: Callable[[str, str | None], None], log_requests: bool = False) -> None:
    """Run the development server until Ctrl-C."""
    server = SiteServer(root, host, port, overrides, log, log_requests)
    try:
        server.start()
        log(f"Serving {server.url} — rebuilds when content, rubric, {CONFIG_FILE} or themes change. "
            "Ctrl-C to stop.", "green")
        if host not in ("127.0.0.1", "localhost", "::1"):
            log(f"Listening on {host}: other machines that can reach this one can read the site.", "yellow")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    log("Stopped.", None)
