"""Bounded HTTP load on a portal at 127.0.0.1: N clients for T seconds, then a report.

    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --clients 32 --seconds 60

Only loopback targets are accepted. Each client loops over a fixed mix of URLs (searches with
and without diacritics, phrases, facets, numbers, notices, browsing) until the time is up.
"""

import argparse
import dataclasses
import http.client
import statistics
import sys
import threading
import time
from urllib.parse import quote
from urllib.parse import urlsplit

MIX = [
    "/tim-kiem?q=" + quote("đảng viên"),
    "/tim-kiem?q=dang+vien",
    "/tim-kiem?q=" + quote('"phát triển đảng viên"'),
    "/tim-kiem?q=ket+luan&year=2014",
    "/tim-kiem?q=" + quote("503-TB/TU"),
    "/tim-kiem?year=2008&year=2014",
    "/api/search?q=" + quote("doanh nghiệp"),
    "/api/search?q=tuy+phong&sort=moi-nhat",
    "/van-ban/004_abab5fe7c577bb0b",
    "/nam/",
    "/",
]
LOOPBACK = ("127.", "localhost", "[::1]")


@dataclasses.dataclass
class Report:
    """What a load run saw."""

    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    error_samples: list[str]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def summary(self) -> str:
        median = statistics.median(self.latencies) if self.latencies else 0.0
        return (f"{self.requests} requests in {self.seconds:.1f} s ({self.throughput:.1f}/s), "
                f"{self.errors} errors; latency p50 {median * 1000:.1f} ms, p95 {self.percentile(95) * 1000:.1f} ms, "
                f"p99 {self.percentile(99) * 1000:.1f} ms, max {max(self.latencies, default=0) * 1000:.1f} ms")


def _client(host: str, port: int, paths: list[str], offset: int, deadline: float, out: list, lock: threading.Lock):
    latencies, errors, samples, i = [], 0, [], offset
    while time.monotonic() < deadline:
        path = paths[i % len(paths)]
        i += 1
        started = time.monotonic()
        try:
            connection = http.client.HTTPConnection(host, port, timeout=30)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status >= 400:
                errors += 1
                samples.append(f"{response.status} {path}")
        except OSError as exc:
            errors += 1
            samples.append(f"{type(exc).__name__} {path}")
        latencies.append(time.monotonic() - started)
    with lock:
        out.append((latencies, errors, samples[:5]))


def _loopback(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if not parts.hostname or not parts.netloc.startswith(LOOPBACK):
        raise ValueError(f"load tests target loopback only, not {url}")
    return parts.hostname, parts.port or 80


def wait_ready(url: str, path: str, timeout: float) -> None:
    """Wait until the server at ``url`` (loopback only) answers ``path``, for at most ``timeout`` seconds."""
    host, port = _loopback(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            if status < 500:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.5)


def run(url: str, clients: int, seconds: float, paths: list[str] = MIX) -> Report:
    """Load ``url`` (loopback only) with ``clients`` concurrent clients for ``seconds``."""
    host, port = _loopback(url)
    deadline = time.monotonic() + seconds
    results: list = []
    lock = threading.Lock()
    started = time.monotonic()
    threads = [threading.Thread(target=_client, args=(host, port, paths, i, deadline,
                                                      results, lock)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies = [x for r in results for x in r[0]]
    return Report(len(latencies), sum(r[1] for r in results), elapsed, latencies,
                  [s for r in results for s in r[2]][:10])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--paths", help="a file of URL paths to cycle through, one per line (default: a mix for the seeds)")
    args = parser.parse_args()
    paths = MIX
    if args.paths:
        with open(args.paths, encoding="utf-8") as f:
            paths = [line.strip() for line in f if line.strip()]
    report = run(args.url, args.clients, min(args.seconds, 600), paths)
    print(report.summary())
    for sample in report.error_samples:
        print("  error:", sample)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
