"""Load on `vilkar serve` over loopback: p50/p99 latency and requests/s at 100 concurrent connections.

    pip install '.[server]' && apt-get install wrk      # wrk: the load generator, a Debian package
    python benchmarks/serve_load.py [--workers 1,2] [--floor] [--connections 100] [--seconds 10] [--sweep]

`--workers 1,2` runs the service with one process and then with two (`vilkar serve --workers 2`),
side by side; `--floor` runs benchmarks/serve_floor.py after each, the same uvicorn, loop, sockets
and workers with an app that decides nothing: what HTTP alone costs here, the best any service on
this stack could do.

The load generator is wrk: written in C on an event loop, one wrk thread keeps 100 keep-alive
connections busy for a small share of one core. A Python client needs about as much CPU per request
as the server itself, so on a 2-core machine it would mostly measure its own contention with the
server. Each run lasts `--seconds` (wrk's own clock: its summary divides by the whole `-d` even when
a script stops its threads early, so a run is bounded by time only). Requests rotate through every JSON sample in samples/ (all kinds), and every response
must be a 200. One server process is pinned to core 0 and wrk to core 1 where there are two; with
several workers nothing is pinned (the workers need every core, and wrk needs a little of one).

The machine is shared, so the report says how busy it was during each run: the whole machine, the
server, wrk, and everything else.
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
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")

LUA = r"""
local bodies, non200, threads = {}, 0, {}
for line in io.lines(os.getenv("VILKAR_BODIES")) do bodies[#bodies + 1] = line end
local headers = {["Content-Type"] = "application/json"}
local next_body = 0

function setup(thread) threads[#threads + 1] = thread end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/v1/decisions", headers, bodies[next_body])
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("non200") or 0) end
  io.write(string.format(
    'VILKAR {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "p999_us": %d, ' ..
    '"max_us": %d, "non200": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def process_ticks(pid: int) -> int:
    """CPU time of a process and of its live children (the workers of `--workers N`), in clock ticks."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1]: the parent's pid
            total += int(fields[11]) + int(fields[12])
    return total


def pinned(core: int | None):
    if core is None or not hasattr(os, "sched_setaffinity"):
        return None
    return lambda: os.sched_setaffinity(0, {core})


def start_server(core: int | None, workers: int, floor: bool) -> tuple[subprocess.Popen, int]:
    if floor:
        command = [sys.executable, str(ROOT / "benchmarks" / "serve_floor.py")]
    else:
        command = [sys.executable, "-c", "from evaluator.cli import main; main()", "serve"]
    command += ["--port", "0", "--workers", str(workers)]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT, preexec_fn=pinned(core))
    line = server.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not found:
        raise SystemExit(f"the server did not start: {line}{server.stderr.read()}")
    return server, int(found.group(1))


def worker_shares(port: int) -> list[int]:
    """Requests each worker answered, from /v1/status (the floor app has no status)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/status", timeout=30) as response:
        return [worker["requests"] for worker in json.loads(response.read())["workers"]]


def bodies_file(directory: str) -> str:
    path = Path(directory) / "bodies.jsonl"
    lines = [json.dumps(json.loads(sample.read_text(encoding="utf-8")), ensure_ascii=False, separators=(",", ":"))
             for sample in sorted((ROOT / "samples").glob("*.json"))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run_wrk(port: int, connections: int, seconds: float, directory: str, bodies: str,
            core: int | None, server_pid: int) -> dict:
    script = Path(directory) / "vilkar.lua"
    script.write_text(LUA, encoding="utf-8")
    environment = dict(os.environ, VILKAR_BODIES=bodies)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--timeout", "10s", "-s", str(script),
               f"http://127.0.0.1:{port}/v1/decisions"]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before, total_before = cpu_busy()
    server_before = process_ticks(server_pid)
    load_before = os.getloadavg()[0]
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, preexec_fn=pinned(core),
                               timeout=seconds + 60)
    busy_after, total_after = cpu_busy()
    server_ticks = process_ticks(server_pid) - server_before
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = re.search(r"^VILKAR (\{.*\})$", completed.stdout, re.MULTILINE)
    if completed.returncode != 0 or not found:
        raise SystemExit(f"wrk failed:\n{completed.stdout}{completed.stderr}")
    figures = json.loads(found.group(1))
    cores = os.cpu_count() or 1
    elapsed = (total_after - total_before) / cores  # jiffies of wall time
    wrk_seconds = (children_after.ru_utime + children_after.ru_stime
                   - children_before.ru_utime - children_before.ru_stime)
    machine = (busy_after - busy_before) / max(total_after - total_before, 1)
    server_share = server_ticks / max(elapsed, 1) / cores
    wrk_share = wrk_seconds * TICKS / max(elapsed, 1) / cores
    figures.update(connections=connections, requests_per_s=figures["requests"] / (figures["duration_us"] / 1e6),
                   machine_busy=machine, server_busy=server_share, wrk_busy=wrk_share,
                   others_busy=max(machine - server_share - wrk_share, 0.0), load_before=load_before,
                   server_cpu_us=server_ticks / TICKS / max(figures["requests"], 1) * 1e6,
                   wrk_cpu_us=wrk_seconds / max(figures["requests"], 1) * 1e6)
    return figures


def report(figures: dict) -> None:
    print(f"{figures['label']}, {figures['connections']:>3} connections: {figures['requests']:>7,} requests, "
          f"{figures['requests_per_s']:>7,.0f} requests/s, p50 {figures['p50_us'] / 1000:6.2f} ms, "
          f"p90 {figures['p90_us'] / 1000:6.2f} ms, p99 {figures['p99_us'] / 1000:6.2f} ms, "
          f"max {figures['max_us'] / 1000:6.1f} ms, non-200 {figures['non200']}, socket errors "
          f"{figures['socket_errors']}")
    print(f"      machine busy {figures['machine_busy']:.0%} of 2 cores (server {figures['server_busy']:.0%}, "
          f"wrk {figures['wrk_busy']:.0%}, everything else {figures['others_busy']:.0%}); "
          f"load average before {figures['load_before']:.2f}; CPU per request: server "
          f"{figures['server_cpu_us']:.0f} µs, wrk {figures['wrk_cpu_us']:.0f} µs"
          + (f"; requests per worker {figures['per_worker']}" if figures.get("per_worker") else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="worker counts to run side by side, e.g. 1,2")
    parser.add_argument("--floor", action="store_true", help="also the floor: the same stack deciding nothing")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=10, help="the length of each run")
    parser.add_argument("--sweep", action="store_true", help="also 1 and 10 connections")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (or brew install wrk)")
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    results = []
    print(f"{len(cores) or os.cpu_count()} cores; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as directory:
        bodies = bodies_file(directory)
        print(f"{len(bodies_lines(bodies))} sample bodies in rotation")
        for workers in [int(count) for count in arguments.workers.split(",")]:
            for floor in (False, True) if arguments.floor else (False,):
                results += measure(workers, floor, cores, arguments, directory, bodies)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if arguments.json:
        print(json.dumps(results, indent=2))
    if any(figures["non200"] or figures["socket_errors"] for figures in results):
        raise SystemExit("some requests failed")


def measure(workers: int, floor: bool, cores: list[int], arguments: argparse.Namespace, directory: str,
            bodies: str) -> list[dict]:
    """The runs against one server: the service or the floor, with this many workers."""
    server_core, wrk_core = (cores[0], cores[1]) if len(cores) >= 2 and workers == 1 else (None, None)
    server, port = start_server(server_core, workers, floor)
    label = f"{'floor  ' if floor else 'service'} {workers} worker{'s' if workers > 1 else ' '}"
    results = []
    try:
        run_wrk(port, 10, 2, directory, bodies, wrk_core, server.pid)  # warm up; not reported
        for connections in ([1, 10] if arguments.sweep else []) + [arguments.connections]:
            before = None if floor else worker_shares(port)
            figures = run_wrk(port, connections, arguments.seconds, directory, bodies,
                              wrk_core, server.pid)
            figures.update(label=label, workers=workers, floor=floor)
            if before is not None:
                figures["per_worker"] = [after - earlier for after, earlier in zip(worker_shares(port), before)]
            report(figures)
            results.append(figures)
            time.sleep(1)
    finally:
        server.terminate()
        server.wait(30)
    return results


def bodies_lines(path: str) -> list[str]:
    return Path(path).read_text(encoding="utf-8").splitlines()


if __name__ == "__main__":
    main()
