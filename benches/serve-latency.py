#!/usr/bin/env python3
"""Preview-server latency: time from a file write to the browser's reload event.

Starts the release `portico serve` on the shared synthetic monorepo, listens to its
Server-Sent Events like a browser tab does, then edits a docs page, a catalog-info.yaml owner
and a theme template N times each, and reports p50/p95 of write -> `reload` event, plus the
server's startup time (spawn -> first build served).

Usage (from the repository root, after `cargo build --release`):
    python3 benches/serve-latency.py [--components 1000] [--edits 20] [--keep DIR]
Only the Python standard library is used.
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class Events(threading.Thread):
    """Reads `event: reload` lines from /__portico/events and timestamps them."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /__portico/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.reloads = []
        self.cond = threading.Condition()

    def run(self):
        buf = b""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.strip() == b"event: reload":
                    with self.cond:
                        self.reloads.append(time.perf_counter())
                        self.cond.notify_all()

    def wait_after(self, t0, timeout=30):
        with self.cond:
            deadline = time.perf_counter() + timeout
            while True:
                later = [t for t in self.reloads if t > t0]
                if later:
                    return later[0]
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError("no reload event")
                self.cond.wait(left)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--components", type=int, default=1000)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--keep", help="generate into this directory and keep it")
    ap.add_argument("--server-log", help="write the server's stderr here (with PORTICO_TRACE=1 in the environment: stage times of every rebuild)")
    a = ap.parse_args()

    binary = os.path.join(REPO, "target", "release", "portico")
    if not os.path.exists(binary):
        sys.exit("build first: cargo build --release")
    work = a.keep or tempfile.mkdtemp(prefix="portico-serve-bench-")
    root = os.path.join(work, "monorepo")
    gen = os.path.join(REPO, "..", "shared", "bench", "gen-monorepo.py")
    subprocess.run([sys.executable, gen, root, "--components", str(a.components)], check=True, stdout=subprocess.DEVNULL)
    # A theme overriding one template, to measure template edits.
    os.makedirs(os.path.join(root, "bench-theme", "templates"))
    shutil.copy(os.path.join(REPO, "themes", "default", "templates", "entity.html"),
                os.path.join(root, "bench-theme", "templates", "entity.html"))
    with open(os.path.join(root, "portico.yaml"), "w") as f:
        f.write("title: Bench\ntheme: bench-theme\n")

    t_spawn = time.perf_counter()
    server = subprocess.Popen([binary, "serve", root, "--port", "0"], stderr=subprocess.PIPE, text=True)
    port = None
    for line in server.stderr:
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if m:
            port = int(m.group(1))
            break
    startup = time.perf_counter() - t_spawn
    log = open(a.server_log, "w") if a.server_log else None
    threading.Thread(target=lambda: [log.write(line) if log else None for line in server.stderr], daemon=True).start()
    try:
        events = Events(port)
        events.start()
        time.sleep(0.5)

        docs_page = os.path.join(root, "services", "svc-5", "docs", "index.md")
        descriptor = os.path.join(root, "services", "svc-7", "catalog-info.yaml")
        template = os.path.join(root, "bench-theme", "templates", "entity.html")

        def edit_docs(i):
            with open(docs_page, "a") as f:
                f.write(f"\nEdit number {i}.\n")

        def edit_owner(i):
            with open(descriptor) as f:
                text = f.read()
            text = re.sub(r"owner: team-\d+", f"owner: team-{i % 2 + 1}", text, count=1)
            with open(descriptor, "w") as f:
                f.write(text)

        def edit_template(i):
            with open(template, "a") as f:
                f.write(f"{{# edit {i} #}}\n")

        results = {}
        for name, edit in [("docs page", edit_docs), ("descriptor owner", edit_owner), ("theme template", edit_template)]:
            latencies = []
            for i in range(a.edits):
                t0 = time.perf_counter()
                edit(i)
                t1 = events.wait_after(t0)
                latencies.append((t1 - t0) * 1000)
                time.sleep(0.15)
            results[name] = latencies
    finally:
        server.terminate()
        server.wait()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(f"portico serve on gen-monorepo.py --components {a.components}, {a.edits} edits each")
    print(f"startup (spawn -> serving): {startup * 1000:.0f} ms")
    print(f"{'edit':<18} {'p50 ms':>8} {'p95 ms':>8} {'min':>6} {'max':>6}")
    for name, lat in results.items():
        print(f"{name:<18} {statistics.median(lat):8.0f} {percentile(lat, 95):8.0f} {min(lat):6.0f} {max(lat):6.0f}")


if __name__ == "__main__":
    main()
