"""Running the service: uvicorn in this process, or in N forked worker processes under a small supervisor.

One Python process decides on one core at a time (the GIL), so `--workers N` forks N processes after
the rule set has loaded: each has the compiled rule set already (copy-on-write), its own event loop
and its own listening socket. On Linux the N sockets share the port with SO_REUSEPORT and the kernel
spreads connections evenly over them; elsewhere the workers share one socket. The parent decides
nothing: it holds the sockets, restarts a worker that dies, and passes signals on.

- SIGHUP: the parent passes it to every worker, and each worker reloads as a single process does (the
  new rule set is loaded and checked on a thread while the old one answers; a failed one is never
  swapped in). The parent loads the rule set too, to say once whether it loads, and so that a worker
  it restarts later starts with the rule set the others serve.
- SIGTERM, SIGINT: every worker stops gracefully (in-flight requests are answered), then the parent.
- /v1/status: counters are shared across the workers (server/counters.py); the rule set shown is the
  answering worker's, and `workers` lists which rule set each worker serves.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import socket
import sys
import threading
import time
from typing import Any, Callable, Iterator

from ..errors import PolicyError
from .state import Service, load

Say = Callable[[str], None]
_GRACE_SECONDS = 30  # how long a stopping worker may take to answer what it has started
_QUICK_DEATH_SECONDS = 2.0  # a worker that dies this soon after starting is not restarted: it would again


def listen(host: str, port: int, count: int = 1) -> list[socket.socket]:
    """`count` listening sockets on the port (one shared by all where SO_REUSEPORT does not balance).

    A busy port is refused here, before any worker starts, even by another `vilkar serve --workers`:
    the port is first bound without SO_REUSEPORT, which no other socket on it may have.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = _bound(family, host, port, reuse_port=False)
    if count == 1 or not _reuse_port_balances():
        probe.listen(2048)
        return [probe] * count
    port = probe.getsockname()[1]  # `--port 0`: every worker's socket takes the port the probe got
    probe.close()
    sockets = []
    try:
        for _ in range(count):
            sockets.append(_bound(family, host, port, reuse_port=True))
            sockets[-1].listen(2048)
    except OSError:
        for opened in sockets:
            opened.close()
        raise
    return sockets


def _reuse_port_balances() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _bound(family: int, host: str, port: int, reuse_port: bool) -> socket.socket:
    bound = socket.socket(family, socket.SOCK_STREAM)
    try:
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        bound.bind((host, port))
    except OSError:
        bound.close()
        raise
    return bound


def uvicorn_server(app: Any) -> Any:
    """uvicorn configured for the service: no access log, no lifespan, no proxy-header middleware."""
    import uvicorn

    # proxy headers off: the service reads no client address, and the middleware wraps every request
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", proxy_headers=False,
                            server_header=False)

    class Server(uvicorn.Server):
        """uvicorn's server, minus its signal handling: it re-raises SIGTERM after a graceful stop, which
        would kill the process before the decision log is closed and make every clean stop exit -15."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return Server(config)


def serve_here(service: Service, app: Any, listening: socket.socket, say: Say, worker: int | None = None) -> None:
    """Serve on this process's event loop until SIGTERM or SIGINT."""
    server = uvicorn_server(app)
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(_serve(server, service, listening, say, worker))
    finally:
        service.close()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (the server extra brings it on Linux and macOS): several times the
    requests per second of the standard loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _serve(server: Any, service: Service, listening: socket.socket, say: Say, worker: int | None) -> None:
    loop = asyncio.get_running_loop()
    for stop in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop, lambda: setattr(server, "should_exit", True))
    if hasattr(signal, "SIGHUP"):
        loop.add_signal_handler(signal.SIGHUP, lambda: _reload_in_background(service, say, worker))
        if _early_sighup:  # it came while the worker was starting, before the loop could take it
            _reload_in_background(service, say, worker)
    await server.serve(sockets=[listening])


_early_sighup: list[int] = []


def _remember_sighup(number: int, frame: Any) -> None:
    _early_sighup.append(number)


def hold_early_sighup() -> None:
    """From now on a SIGHUP is remembered and done once serving, instead of ending the process (its default)."""
    if hasattr(signal, "SIGHUP") and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGHUP, _remember_sighup)


def _reload_in_background(service: Service, say: Say, worker: int | None) -> None:
    """Reload on a thread: the old rule set keeps answering on the event loop while the new one compiles.

    A worker of several says only what went differently from the parent's own load, which speaks for all.
    """

    def reload() -> None:
        if service.reload():
            if worker is None:
                say(f"vilkar serve: reloaded rule set {_named(service.loaded.rule_set)}")
        elif worker is None:
            say(f"vilkar serve: the new rule set does not load; still serving the old one\n"
                f"{service.last_reload_error()}")

    threading.Thread(target=reload, name="vilkar-reload", daemon=True).start()


def _named(rule_set: dict[str, Any]) -> str:
    return f"{rule_set['path']} (sha256 {rule_set['sha256'][:12]}…)"


class Supervisor:
    """The parent of `--workers N`: starts the workers, restarts one that dies, passes signals on."""

    def __init__(self, service: Service, sockets: list[socket.socket], make_app: Callable[[Service], Any],
                 say: Say):
        self.service = service
        self.sockets = sockets
        self.make_app = make_app
        self.say = say
        self.children: dict[int, tuple[int, float]] = {}  # pid: (worker number, started at)
        self.stopping = False
        self.reload_wanted = False
        self.failed: str | None = None

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT; 0 after a clean stop, 2 when a worker could not keep running."""
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        previous = {number: signal.getsignal(number) for number in _SIGNALS}
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGHUP, self._reload)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the loop below
        self.reload_wanted = bool(_early_sighup)
        _early_sighup.clear()
        try:
            for worker in range(1, len(self.sockets) + 1):
                self._start(worker, (wake_read, wake_write))
            while True:
                select.select([wake_read], [], [], 1.0)
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_read, 512)
                self._reap((wake_read, wake_write))
                if self.reload_wanted and not self.stopping:
                    self.reload_wanted = False
                    self._pass_on_reload()
                if self.stopping:
                    return self._stop_all()
        finally:
            signal.set_wakeup_fd(-1)
            for number, handler in previous.items():
                signal.signal(number, handler)
            os.close(wake_read)
            os.close(wake_write)
            for opened in set(self.sockets):
                opened.close()
            self.service.close()

    def _stop(self, *_: Any) -> None:
        self.stopping = True

    def _reload(self, *_: Any) -> None:
        self.reload_wanted = True

    def _start(self, worker: int, pipe: tuple[int, int]) -> None:
        sys.stderr.flush()
        # SIGHUP stays blocked across the fork until the worker has its own handler: one that arrives in
        # between is then held by the kernel and delivered to that handler, not lost to the parent's.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})
        pid = os.fork()
        if pid:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            self.children[pid] = (worker, time.monotonic())
            return
        code = 1
        try:  # the worker: nothing of the parent's signal handling, only its own socket
            _early_sighup.clear()
            signal.signal(signal.SIGHUP, _remember_sighup)  # a reload asked for now is done once serving
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            signal.set_wakeup_fd(-1)
            for number in set(_SIGNALS) - {signal.SIGHUP}:
                signal.signal(number, signal.SIG_DFL)
            for fd in pipe:
                os.close(fd)
            listening = self.sockets[worker - 1]
            for opened in set(self.sockets) - {listening}:
                opened.close()
            self.service.as_worker(worker)
            serve_here(self.service, self.make_app(self.service), listening, self.say, worker)
            code = 0
        except BaseException as error:  # noqa: BLE001 - a worker reports why it ends, then ends
            self.say(f"vilkar serve: worker {worker} stopped: {error!r}")
        finally:
            sys.stderr.flush()
            os._exit(code)

    def _reap(self, pipe: tuple[int, int]) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            worker, started = self.children.pop(pid)
            if self.stopping:
                continue
            code = os.waitstatus_to_exitcode(status)
            if time.monotonic() - started < _QUICK_DEATH_SECONDS:
                self.failed = f"worker {worker} (pid {pid}) exited with {code} right after starting"
                self.say(f"vilkar serve: {self.failed}; stopping")
                self.stopping = True
                return
            self.say(f"vilkar serve: worker {worker} (pid {pid}) exited with {code}; starting it again")
            self._start(worker, pipe)

    def _pass_on_reload(self) -> None:
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGHUP)
        try:  # the workers load it themselves; this copy is for a worker started again later
            fresh = load(self.service.policies_dir, self.service.schemas_dir)
        except PolicyError as error:
            self.say(f"vilkar serve: the new rule set does not load; still serving the old one\n{error}")
            return
        self.service.loaded = fresh
        self.say(f"vilkar serve: reloaded rule set {_named(fresh.rule_set)} in {len(self.children)} workers")

    def _stop_all(self) -> int:
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + _GRACE_SECONDS
        while self.children and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                self.children.pop(pid, None)
            else:
                time.sleep(0.02)
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return 2 if self.failed else 0


_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD) if hasattr(signal, "SIGHUP") else ()
