#!/usr/bin/env python3
"""Splits the CPU samples of a `perf record --call-graph dwarf -p <weft pid>`
profile into a few areas of the server, to say where a benchmark's time goes.

    perf script -i perf.data -F comm,tid,ip,sym | bench/perf_breakdown.py

A sample of the group-commit thread counts as store writes. Any other
sample goes to the area of its innermost frame that matches a rule (so
malloc called by the engine counts as engine; with coroutines, outer frames
are whatever resumed the coroutine, e.g. a Beast read). The second table
says what the innermost frame itself was (allocator, kernel, ...).
"""
import collections
import re
import sys

# (area, regex on a frame). Among rules matching the same frame, the first wins.
RULES = [
    ("store: group commit (SQLite writes, WAL, fsync)", r"Committer::Impl::Run"),
    ("store: WAL checkpoints (their own thread)", r"Checkpointer::Run"),
    ("store: reads (history loads)", r"weft::store::"),
    ("HTTP parse/serialise (Beast)", r"boost::beast::http::detail::(read|write)|basic_parser"),
    ("JSON parse", r"boost::json::(parse|basic_parser|parser)|weft::ParseJson"),
    ("JSON serialise", r"weft::(ToJson|AppendJson)|boost::json::serializer"),
    ("engine (executions, history, decisions)", r"weft::engine::"),
    ("matching (task lists, long polls)", r"weft::matching::"),
    ("swf (request checks, answers)", r"weft::swf::"),
    ("server (connections, routing)", r"weft::server::"),
    ("socket I/O and epoll (syscalls)", r"socket_ops::|epoll_reactor|__libc_(send|recv)"),
    ("coroutines (co_spawn, parallel_group, frames)", r"co_spawn|parallel_group|awaitable_(frame|thread)"),
    ("Asio (scheduler, strands, timers)", r"boost::asio::"),
]
LEAVES = [
    ("allocator (malloc/free)", r"malloc|_int_free|cfree|free$|unlink_chunk|sysmalloc|operator new|operator delete"),
    ("kernel", r"^\[k\]|pvm_|do_syscall|entry_SYSCALL|__x64_sys|ext4|epoll|futex"),
    ("sqlite", r"sqlite3"),
    ("memcpy/memmove/memcmp", r"mem(move|cpy|cmp|set)"),
]


def samples(lines):
    stack = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line.startswith("\t") or line.startswith(" "):
            parts = line.strip().split(" ", 1)
            stack.append(parts[1] if len(parts) > 1 else "")
    if stack:
        yield stack


def main():
    rules = [(name, re.compile(p)) for name, p in RULES]
    leaves = [(name, re.compile(p)) for name, p in LEAVES]
    areas = collections.Counter()
    leaf_counts = collections.Counter()
    total = 0
    for stack in samples(sys.stdin):
        total += 1
        if any(rules[0][1].search(f) for f in stack):
            area = rules[0][0]
        else:
            area = next((n for f in stack for n, r in rules[1:] if r.search(f)), "other")
        areas[area] += 1
        leaf = next((n for n, r in leaves if r.search(stack[0])), "other code")
        leaf_counts[leaf] += 1
    if not total:
        print("no samples")
        return
    print(f"| server CPU by area ({total} samples) | share |\n|---|---|")
    for name, n in areas.most_common():
        print(f"| {name} | {100.0 * n / total:.0f}% |")
    print(f"\n| innermost frame | share |\n|---|---|")
    for name, n in leaf_counts.most_common():
        print(f"| {name} | {100.0 * n / total:.0f}% |")


if __name__ == "__main__":
    main()
