#!/usr/bin/env python3
"""Drivers for bench/run: the native host's start-up and memory, and a JSONL file of short posts.

Standard library only (Python 3.11).

  driver.py gen-jsonl OUT [--megabytes 50] [--seed 2] [--corpus FILE... [--clean-only]]
      writes {"id": N, "text": "..."} lines of 80-280 characters until OUT holds about that many MB;
      built from a few dozen fixed sentences, or, with --corpus, from the sentences and words of
      labeled posts (tests/data/*.jsonl; --clean-only: only those labeled with nothing)
  driver.py host-start GUARDPOST [--runs 50]
      spawns `GUARDPOST host`, sends {"id":1,"type":"hello"}, reads the reply; prints the median and
      p95 of spawn-to-reply time over the runs
  driver.py host-session GUARDPOST [--checks 2000] [--corpus FILE...]
      one host, hello, then a session of check requests (280 characters to 100 KB, generated or,
      with --corpus, made from labeled posts as gen-jsonl does); prints the
      host's peak RSS (VmHWM from /proc/PID/status, read while the host is still running) and
      the median round trip of a 280-character check
"""

import argparse
import atexit
import json
import os
import random
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

SENTENCES = [
    "Had a great time at the team offsite this week.",
    "Proud of what we shipped this quarter.",
    "If you are in Berlin next month, come say hi at our booth.",
    "Three things I learned about hiring this year: be clear, be fast, and be kind.",
    "Coffee first, then the roadmap review.",
    "We are hiring engineers who like hard problems and short meetings!",
    "Our new office has a view of the river and far too many plants.",
    "Congratulations to Maria on ten years with the company.",
    "Thanks to everyone who joined the webinar yesterday; the recording is on our site.",
    "Honestly the best part of the conference was the hallway track.",
    "Working on something exciting with the platform team, more soon.",
    "Reminder: the charity run is on Saturday morning, bring water.",
    "Who else is still debugging on a Friday afternoon?",
    "Small teams, clear goals, and a lot of tea.",
]
RISKY = [
    "our key is AKIA2E0A8F3B244C9986 lol",
    "card 4111 1111 1111 1111 exp 12/27",
    "mail me at jane.doe@example.com",
    "this is such bullsh1t",
    "call me on +49 30 1234567",
    "THIS LAUNCH IS GOING TO BE HUGE!!!",
]
EMOJI = ["🎉", "👍🏽", "👨‍👩‍👧", "🚀🚀", "❤️", "😂", "🇩🇪"]
NON_LATIN = [
    "今日はチームで打ち上げでした。",
    "Привет всем, увидимся на конференции!",
    "مرحبا بالجميع في المكتب الجديد",
    "새로운 프로젝트를 시작했습니다",
    "Café crème à côté du bureau, très sympa.",
]


def make_post(rng, low=80, high=280):
    """A post of low..high characters (code points), cut on a code point boundary."""
    target = rng.randint(low, high)
    parts = []
    length = 0
    while length < target:
        r = rng.random()
        if r < 0.75:
            piece = rng.choice(SENTENCES)
        elif r < 0.83:
            piece = rng.choice(RISKY)
        elif r < 0.92:
            piece = rng.choice(EMOJI)
        else:
            piece = rng.choice(NON_LATIN)
        parts.append(piece)
        length += len(piece) + 1
    return " ".join(parts)[:target]


class CorpusPosts:
    """Posts made of a labeled corpus's sentences and of runs of its words.

    The fixed sentences of make_post repeat within a few posts, and an engine that builds its
    automata lazily (RE2's DFAs) or learns branches finds such input far easier than real posts:
    on the first corpus posts the default packs ran more than ten times slower."""

    def __init__(self, paths, clean_only):
        texts = []
        for path in paths:
            with open(path, encoding="utf-8") as lines:
                for line in lines:
                    post = json.loads(line)
                    if not clean_only or not post["labels"]:
                        texts.append(post["text"])
        self.sentences = [s for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if s.strip()]
        self.words = [w for s in self.sentences for w in s.split()]

    def make_post(self, rng, low=80, high=280):
        target = rng.randint(low, high)
        parts = []
        length = 0
        while length < target:
            if rng.random() < 0.6:
                piece = rng.choice(self.sentences)
            else:
                piece = " ".join(rng.choice(self.words) for _ in range(rng.randint(3, 12)))
            parts.append(piece)
            length += len(piece) + 1
        return " ".join(parts)[:target]


def gen_jsonl(args):
    rng = random.Random(args.seed)
    make = CorpusPosts(args.corpus, args.clean_only).make_post if args.corpus else make_post
    limit = int(args.megabytes * 1_000_000)
    written = 0
    lines = 0
    with open(args.out, "w", encoding="utf-8", newline="\n") as out:
        while written < limit:
            line = json.dumps({"id": lines + 1, "text": make(rng)}, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            lines += 1
    print(f"{args.out}: {lines} posts, {written} bytes")


def host_env():
    env = dict(os.environ)
    # Logs go to a throwaway state directory (removed at exit); no system layer, as on most
    # machines.
    state = tempfile.mkdtemp(prefix="guardpost-bench-state-")
    atexit.register(shutil.rmtree, state, ignore_errors=True)
    env["XDG_STATE_HOME"] = state
    env["GUARDPOST_SYSTEM_RULES"] = os.path.join(state, "no-system-rules")
    return env


def frame(obj):
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return struct.pack("=I", len(body)) + body


def read_exact(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError("host closed its stdout")
        data += chunk
    return data


def read_reply(stream):
    (length,) = struct.unpack("=I", read_exact(stream, 4))
    return json.loads(read_exact(stream, length))


def spawn(guardpost, env):
    return subprocess.Popen([guardpost, "host"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, bufsize=0)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def host_start(args):
    env = host_env()
    hello = frame({"id": 1, "type": "hello"})
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        host = spawn(args.guardpost, env)
        host.stdin.write(hello)
        reply = read_reply(host.stdout)
        elapsed = time.perf_counter() - start
        host.stdin.close()
        host.wait()
        if reply.get("type") != "hello":
            sys.exit(f"unexpected reply: {reply}")
        times.append(elapsed * 1000)
    print(f"host start to first reply over {args.runs} runs: median {statistics.median(times):.2f} ms, "
          f"p95 {percentile(times, 0.95):.2f} ms, min {min(times):.2f} ms, max {max(times):.2f} ms")
    print(f"rules in effect: {reply['rules']['count']}")


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def host_session(args):
    env = host_env()
    rng = random.Random(7)
    make = CorpusPosts(args.corpus, False).make_post if args.corpus else make_post
    host = spawn(args.guardpost, env)
    host.stdin.write(frame({"id": 0, "type": "hello"}))
    read_reply(host.stdout)
    after_hello = vm_hwm_kib(host.pid)
    round_trips = []
    findings = 0
    for i in range(1, args.checks + 1):
        if i % 500 == 0:
            text = " ".join(make(rng, 200, 280) for _ in range(400))[:100 * 1024]  # ~100 KB
        elif i % 50 == 0:
            text = " ".join(make(rng, 200, 280) for _ in range(14))  # ~3 KB
        else:
            text = make(rng, 280, 280)
        start = time.perf_counter()
        host.stdin.write(frame({"id": i, "type": "check", "text": text, "site": "x.com"}))
        reply = read_reply(host.stdout)
        if len(text) == 280:
            round_trips.append((time.perf_counter() - start) * 1e6)
        if reply.get("type") != "findings":
            sys.exit(f"unexpected reply: {reply}")
        findings += len(reply["findings"])
    peak = vm_hwm_kib(host.pid)
    host.stdin.close()
    status = host.wait()
    print(f"host session: {args.checks} checks ({findings} findings), exit status {status}")
    print(f"host peak RSS (VmHWM): after hello {after_hello / 1024:.1f} MiB, "
          f"after the session {peak / 1024:.1f} MiB")
    print(f"280-character check round trip through the host: median "
          f"{statistics.median(round_trips):.1f} us, p99 {percentile(round_trips, 0.99):.1f} us")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("gen-jsonl")
    p.add_argument("out")
    p.add_argument("--megabytes", type=float, default=50)
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--corpus", nargs="+", metavar="FILE")
    p.add_argument("--clean-only", action="store_true")
    p.set_defaults(func=gen_jsonl)
    p = sub.add_parser("host-start")
    p.add_argument("guardpost")
    p.add_argument("--runs", type=int, default=50)
    p.set_defaults(func=host_start)
    p = sub.add_parser("host-session")
    p.add_argument("guardpost")
    p.add_argument("--checks", type=int, default=2000)
    p.add_argument("--corpus", nargs="+", metavar="FILE")
    p.set_defaults(func=host_session)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
