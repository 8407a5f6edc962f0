"""Webhook deliveries through the real queue: ``manage.py worker`` processes posting to a receiver on this machine.

- end to end: --events organisations created in one transaction with an endpoint subscribed (one delivery each,
  recorded and enqueued on commit), posted by --workers workers already running to a receiver that answers 200 at
  once; deliveries per second from the commit until every delivery is marked delivered (the commit's own work,
  reading and recording each event, is reported apart, and the workers send while it goes on);
- backlog: the same events recorded first, then the workers started: their rate alone, between the 10th and the
  90th percentile of the deliveries' times (the workers' start-up and the last stragglers left out);
- retries: --retried events to a receiver that answers 500 to each delivery's first attempt and 200 to the next;
  each delivery must take exactly two attempts, the second no earlier than the pause; the time until all are
  delivered and the pause observed between the two attempts (min, median, max), against the one configured.

On a database of its own, migrated, with nothing else running on it:

    createdb -h 127.0.0.1 -U postgres crm_helper_hooks_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_helper_hooks_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_helper_hooks_bench .venv/bin/python -m tools.bench.webhooks

Prints one JSON object. The records and deliveries it makes are deleted at the end.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
os.environ["WEBHOOKS_ALLOW_PRIVATE_ADDRESSES"] = "1"  # the receiver is on 127.0.0.1
os.environ.setdefault("WEBHOOKS_RETRY_PAUSES", "2")  # the retries' pause, short enough to measure

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from clusters.models import Organisation  # noqa: E402
from webhooks.models import Delivery, DeliveryAttempt, Endpoint  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fail_first: bool):
        self.fail_first = fail_first
        self.seen: set[str] = set()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        delivery = self.headers["X-CRM-Delivery"]
        with self.server.lock:
            first = delivery not in self.server.seen
            self.server.seen.add(delivery)
        status = 500 if self.server.fail_first and first else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603  (our interpreter, our manage.py)
        [sys.executable, "manage.py", "worker", "--no-startup-delay", "--interval", "0.1", "--verbosity", "0"],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run(label: str, events: int, workers: int, *, fail_first: bool = False, backlog: bool = False) -> dict:
    """``backlog``: the events are recorded before the workers start, and the rate is the workers' alone (as the
    database timed the deliveries); otherwise the workers run while the events
    are made, and the rate is from the commit (the first delivery enqueued) to the last delivered."""
    receiver = Receiver(fail_first)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    endpoint = Endpoint.objects.create(
        url=f"http://127.0.0.1:{receiver.server_port}/hooks", events=["organisation.created"], description=label
    )
    deliveries = Delivery.objects.filter(endpoint=endpoint)
    processes = [] if backlog else [start_worker() for _ in range(workers)]
    try:
        time.sleep(0 if backlog else 3)  # the workers' start-up is not the deliveries' time
        with transaction.atomic():
            for number in range(events):
                Organisation.objects.create(
                    name=f"Bench webhooks {label} {number}", slug=f"bench-hooks-{label}-{number}"
                )
            committing = time.perf_counter()
        committed = time.perf_counter()
        if backlog:
            processes = [start_worker() for _ in range(workers)]
        deadline = time.monotonic() + 600
        while deliveries.filter(status=Delivery.Status.DELIVERED).count() < events:
            if time.monotonic() > deadline or deliveries.filter(status=Delivery.Status.FAILED).exists():
                raise SystemExit(f"{label}: not every delivery was delivered.")
            time.sleep(0.02)
        finished = time.perf_counter()
    finally:
        for process in processes:
            stop(process)
        receiver.shutdown()
        receiver.server_close()
    attempts = DeliveryAttempt.objects.filter(delivery__endpoint=endpoint)
    if backlog:
        # The steady rate: the deliveries between the 10th and the 90th percentile of their time (the workers
        # start one after another, and the last ones finish alone).
        times = sorted(deliveries.values_list("delivered_at", flat=True))
        low, high = len(times) // 10, len(times) * 9 // 10
        seconds = (times[high - 1] - times[low]).total_seconds() * events / (high - 1 - low)
    else:
        seconds = finished - committing
    result = {
        "events": events,
        "workers": workers,
        "commit_s": round(committed - committing, 2),  # the on-commit work: read, record and enqueue each event
        "seconds": round(seconds, 2),
        "deliveries_per_second": round(events / seconds, 1),
        "deliveries_by_attempts": {
            str(row["attempts"]): row["count"]
            for row in deliveries.values("attempts").annotate(count=Count("pk")).order_by("attempts")
        },
        "attempt_ms_median": statistics.median(attempts.values_list("duration_ms", flat=True)),
    }
    if fail_first:
        pauses = []
        for delivery in deliveries.prefetch_related("attempt_log"):
            first_attempt, second_attempt = list(delivery.attempt_log.all())
            pauses.append((second_attempt.started_at - first_attempt.started_at).total_seconds())
        result |= {
            "retry_pause_configured_s": settings.WEBHOOKS_RETRY_PAUSES[0],
            "retry_pause_observed_s": {
                "min": round(min(pauses), 2),
                "median": round(statistics.median(pauses), 2),
                "max": round(max(pauses), 2),
            },
        }
    Organisation.objects.filter(slug__startswith=f"bench-hooks-{label}-").delete()
    endpoint.delete()  # and its deliveries
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--retried", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    options = parser.parse_args()
    result = {}
    for workers in options.workers:
        result[f"end_to_end_{workers}_workers"] = run(f"live{workers}", options.events, workers)
        result[f"backlog_{workers}_workers"] = run(f"backlog{workers}", options.events, workers, backlog=True)
    result["retries"] = run("retry", options.retried, max(options.workers), fail_first=True)
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
