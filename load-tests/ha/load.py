#!/usr/bin/env python3
"""Booking load for the failover, restore and deploy scenarios (standard library only).

Threads post bookings through the JSON API for a fixed time (or until SIGTERM, after the
answers in flight), alternating between the given base URLs. Every POST carries an
Idempotency-Key; on a connection error, a timeout or a 5xx the same request is sent again
with the same key until it gets an answer or the retry time runs out. Every acknowledged
booking (a 201) is written to --codes with the time it arrived; --summary gets the counts as
JSON; --attempts gets one line per HTTP attempt.

    load.py --base http://127.0.0.1:8001 --base http://127.0.0.1:8002 \
            --concurrency 16 --seconds 30 --codes codes.tsv --summary summary.json
"""

import argparse
import bisect
import datetime
import http.client
import json
import math
import random
import signal
import sys
import threading
import time
import urllib.parse
import uuid

LOCATIONS = ["0101", "0102", "0103", "0104", "0105"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", action="append", required=True,
                   help="server base URL; repeat (or comma-separate) to alternate between several")
    p.add_argument("--tenant", default="demo")
    p.add_argument("--procedure", default="apply")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--timeout", type=float, default=15, help="seconds to wait for one answer")
    p.add_argument("--retry-for", type=float, default=60,
                   help="seconds a request keeps being retried before it counts as failed")
    p.add_argument("--first-day", type=int, default=2, help="first visit day, days from today")
    p.add_argument("--days", type=int, default=40, help="how many days of slots to spread over")
    p.add_argument("--hot-slots", type=int, default=12,
                   help="slots a quarter of the bookings crowd into, so that some fill up")
    p.add_argument("--tag", default=uuid.uuid4().hex[:8], help="makes this run's e-mails unique")
    p.add_argument("--codes", help="write 'code<TAB>unix time of the 201<TAB>base' lines here")
    p.add_argument("--summary", help="write the figures as JSON here")
    p.add_argument("--attempts", help="write one JSON line per HTTP attempt here")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args()
    args.base = [b.rstrip("/") for part in args.base for b in part.split(",") if b]
    return args


class StaleConnection(OSError):
    """Sending on a kept-alive connection failed because the server had closed it."""


class Client:
    """One keep-alive connection per base URL, owned by one thread."""

    def __init__(self, timeout):
        self.timeout = timeout
        self.conns = {}

    def request(self, base, method, path, body=None, headers=None):
        """(status, parsed JSON or None); raises OSError/HTTPException when there is no answer."""
        conn = self.conns.get(base)
        if conn is None:
            url = urllib.parse.urlsplit(base)
            conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=self.timeout)
            self.conns[base] = conn
        reused = conn.sock is not None
        try:
            try:
                conn.request(method, path, body=body, headers=headers or {})
            except (BrokenPipeError, ConnectionResetError) as error:
                # The server had already closed this kept-alive connection: the request never
                # reached it. Told apart so that it is not mistaken for the service failing.
                if reused:
                    raise StaleConnection(type(error).__name__) from error
                raise
            answer = conn.getresponse()
            data = answer.read()
            if answer.getheader("connection", "").lower() == "close":
                self.drop(base)
        except BaseException:
            # A half-used connection cannot be trusted for the next request.
            self.drop(base)
            raise
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return answer.status, parsed

    def drop(self, base):
        conn = self.conns.pop(base, None)
        if conn is not None:
            conn.close()


def tokyo_today():
    # The service counts days in Asia/Tokyo (UTC+9, no daylight saving).
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=9)).date()


def fetch_slots(args):
    """Ids of the slots still bookable online, over --days days from --first-day on."""
    client = Client(args.timeout)
    first = tokyo_today() + datetime.timedelta(days=args.first_day)
    last = first + datetime.timedelta(days=args.days - 1)
    slots = []
    for location in LOCATIONS:
        query = urllib.parse.urlencode({"location": location, "procedure": args.procedure,
                                        "from": first.isoformat(), "to": last.isoformat()})
        path = f"/api/v1/{args.tenant}/availability?{query}"
        deadline = time.monotonic() + args.retry_for
        while True:
            try:
                status, body = client.request(args.base[0], "GET", path)
                if status == 200:
                    break
                problem = f"HTTP {status}: {body}"
            except (OSError, http.client.HTTPException) as error:
                problem = repr(error)
            if time.monotonic() > deadline:
                sys.exit(f"load.py: availability of {location} failed: {problem}")
            time.sleep(0.5)
        for slot in body["slots"]:
            if slot.get("bookable") and slot.get("remaining", 0) > 0:
                slots.append(slot["id"])
    if not slots:
        sys.exit("load.py: no bookable slots")
    return slots


class Run:
    def __init__(self, args, slots):
        self.args = args
        self.lock = threading.Lock()
        # Hot slots stay in the draw even when full: they keep the 409 path and the slot
        # lock under contention. Cold slots leave the draw once full.
        self.hot = slots[: args.hot_slots]
        self.cold = slots[args.hot_slots:] or list(self.hot)
        self.full = set()
        self.sequence = 0
        self.started = time.time()
        self.stop_at = self.started + args.seconds
        self.acknowledged = []          # (code, time of the 201, base)
        self.outcomes = {}              # final outcome of each logical request -> count
        self.attempt_outcomes = {}      # outcome of every HTTP attempt -> count
        self.per_base = {b: {} for b in args.base}
        self.failures = []              # start times of attempts with no usable answer
        self.successes = []             # arrival times of 201s
        self.latencies = []             # seconds, of 201 answers
        self.failed = 0
        self.retried = 0
        self.gave_up = []
        self.attempt_log = open(args.attempts, "w") if args.attempts else None

    def next_request(self):
        with self.lock:
            self.sequence += 1
            n = self.sequence
            if random.random() < 0.25 or not self.cold:
                slot = random.choice(self.hot)
            else:
                slot = random.choice(self.cold)
        return n, slot

    def note_full(self, slot):
        with self.lock:
            if slot not in self.full and slot in self.cold:
                self.full.add(slot)
                self.cold.remove(slot)

    def record_attempt(self, base, started, ended, outcome, thread):
        with self.lock:
            self.attempt_outcomes[outcome] = self.attempt_outcomes.get(outcome, 0) + 1
            counts = self.per_base[base]
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome == "201":
                self.successes.append(ended)
                self.latencies.append(ended - started)
            elif outcome[:1] != "4" and not outcome.startswith("stale"):
                # No answer or a 5xx: the service could not take the write then. The time
                # it became known counts, as answers to earlier requests may still arrive.
                self.failures.append(ended)
            if self.attempt_log:
                self.attempt_log.write(json.dumps({"thread": thread, "base": base,
                                                   "start": round(started, 4),
                                                   "end": round(ended, 4), "outcome": outcome}) + "\n")

    def record_final(self, outcome, code=None, at=None, base=None):
        with self.lock:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
            if code:
                self.acknowledged.append((code, at, base))


def worker(run, index):
    args = run.args
    client = Client(args.timeout)
    turn = index
    while time.time() < run.stop_at:
        n, slot = run.next_request()
        base = args.base[turn % len(args.base)]
        turn += 1
        body = json.dumps({"slot_id": slot, "procedure": args.procedure, "party_size": 1,
                           "contact": {"email": f"u{n}-{args.tag}-{index}@load.example"}})
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        give_up_at = time.time() + args.retry_for
        pause = 0.2
        tries = 0
        while True:
            tries += 1
            started = time.time()
            try:
                status, answer = client.request(base, "POST", f"/api/v1/{args.tenant}/bookings",
                                                body, headers)
                outcome = str(status)
                if status >= 400 and isinstance(answer, dict) and answer.get("code"):
                    outcome = f"{status} {answer['code']}"
            except StaleConnection as error:
                status, answer, outcome = None, None, f"stale keep-alive ({error})"
            except TimeoutError:
                status, answer, outcome = None, None, "timeout"
            except (OSError, http.client.HTTPException) as error:
                status, answer, outcome = None, None, f"no answer ({type(error).__name__})"
            ended = time.time()
            run.record_attempt(base, started, ended, outcome, index)
            if status is not None and status < 500:
                break
            # No answer, or the server could not do it now: the same request again, same key
            # (at once on a fresh connection when the old one had merely gone stale).
            if outcome.startswith("stale") and ended < give_up_at:
                continue
            if ended + pause > give_up_at:
                break
            time.sleep(pause)
            pause = min(pause * 1.5, 1.0)
        if tries > 1:
            with run.lock:
                run.retried += 1
        if status == 201:
            run.record_final("201", answer.get("code"), ended, base)
        else:
            if status == 409 and isinstance(answer, dict) and answer.get("code") == "slot_full":
                run.note_full(slot)
            run.record_final(outcome)
            if status != 409:
                with run.lock:
                    run.failed += 1
                    if len(run.gave_up) < 20:
                        run.gave_up.append({"at": round(ended - run.started, 2), "base": base,
                                            "outcome": outcome, "answer": answer})


def longest_gap(failures, successes, end):
    """Longest time from a failed attempt's answer (or error) to the next 201 (or to the end)."""
    successes = sorted(successes)
    worst, worst_from, resumed = 0.0, None, True
    for failed in failures:
        i = bisect.bisect_right(successes, failed)
        until = successes[i] if i < len(successes) else end
        if until - failed > worst:
            worst, worst_from, resumed = until - failed, failed, i < len(successes)
    return worst, worst_from, resumed


def percentile(values, share):
    if not values:
        return None
    # Nearest rank, as docs/performance.md counts percentiles.
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main():
    args = parse_args()
    slots = fetch_slots(args)
    random.shuffle(slots)
    run = Run(args, slots)
    threads = [threading.Thread(target=worker, args=(run, i), daemon=True)
               for i in range(args.concurrency)]
    # SIGTERM ends the run early but gently: no new requests, answers still awaited.
    signal.signal(signal.SIGTERM, lambda *_: setattr(run, "stop_at", time.time()))
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.5)
    ended = time.time()
    if run.attempt_log:
        run.attempt_log.close()
    gap, gap_from, resumed = longest_gap(run.failures, run.successes, ended)
    ordered = sorted(run.successes)
    steady_gap = max((b - a for a, b in zip(ordered, ordered[1:])), default=0.0)
    requests = sum(run.outcomes.values())
    summary = {
        "bases": args.base,
        "started": run.started,
        "ended": ended,
        "seconds": round(ended - run.started, 2),
        "slots": len(slots),
        "slots_filled": len(run.full),
        "requests": requests,
        "acknowledged": len(run.acknowledged),
        "failed": run.failed,
        "retried_requests": run.retried,
        "attempts": sum(run.attempt_outcomes.values()),
        "outcomes": run.outcomes,
        "attempt_outcomes": run.attempt_outcomes,
        "per_base": run.per_base,
        "failed_attempts": len(run.failures),
        "first_failure": min(run.failures) if run.failures else None,
        "last_failure": max(run.failures) if run.failures else None,
        "longest_gap_s": round(gap, 2),
        "longest_gap_from": gap_from,
        "resumed": resumed,
        "longest_between_201_s": round(steady_gap, 2),
        "bookings_per_s": round(len(run.acknowledged) / max(ended - run.started, 0.001), 1),
        "p50_ms": round(1000 * percentile(run.latencies, 0.5), 1) if run.latencies else None,
        "p99_ms": round(1000 * percentile(run.latencies, 0.99), 1) if run.latencies else None,
        "gave_up_examples": run.gave_up,
    }
    if args.codes:
        with open(args.codes, "w") as out:
            for code, at, base in run.acknowledged:
                out.write(f"{code}\t{at:.4f}\t{base}\n")
    if args.summary:
        with open(args.summary, "w") as out:
            json.dump(summary, out, indent=1)
    if not args.quiet:
        print(json.dumps({k: summary[k] for k in ("requests", "acknowledged", "failed",
                                                  "retried_requests", "outcomes",
                                                  "longest_gap_s", "bookings_per_s")}))


if __name__ == "__main__":
    main()
