"""Comparison of a weft execution with a case recorded on AWS Step Functions.

Shared by the conformance runners: test_asl_conformance.py (`weft run`, in
process) and test_sfn_api_conformance.py (a real `weft server` through boto3).
A result is a dict {status, output, error, cause, history}: output decoded,
cause as text, history a list of events in GetExecutionHistory's form
({type, id, previousEventId, <x>EventDetails}). check_case() compares one with
a case as shared/conformance/README.md describes; Tally counts per category and
per check and prints the summary lines.
"""
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEFT_BIN = os.environ.get("WEFT_BIN", os.path.join(REPO, "build", "weft"))
SHARED = os.environ.get("WEFT_SHARED_DIR", os.path.join(os.path.dirname(REPO), "shared"))
CONFORMANCE = os.path.join(SHARED, "conformance", "asl")


def load_cases():
    """(cases, histories by id), or (None, None) when the shared cases are absent."""
    cases_path = os.path.join(CONFORMANCE, "cases.jsonl")
    if not os.path.exists(cases_path):
        return None, None
    cases = load_jsonl(cases_path)
    histories = {h["id"]: h["events"] for h in load_jsonl(os.path.join(CONFORMANCE,
                                                                       "histories.jsonl"))}
    only = os.environ.get("WEFT_CONFORMANCE_ONLY")
    if only:
        cases = [c for c in cases if only in c["id"]]
    return cases, histories


def is_jsonata(case):
    return "jsonata" in (case.get("needs") or [])


BLOCK_START = {"MapStateStarted", "ParallelStateStarted"}
BLOCK_END = {"MapStateSucceeded", "MapStateFailed", "MapStateAborted", "ParallelStateSucceeded",
             "ParallelStateFailed", "ParallelStateAborted"}


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def same(a, b):
    """Deep equality: numbers by value (1 == 1.0), object key order ignored, bool != number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) == type(b) and a == b


def placeholder_rules(case):
    rules = {}
    for p in case.get("placeholders") or []:
        rules[tuple(p["path"])] = p
    return rules


def matches(expected, actual, rules, path):
    """same(), except that values at placeholder paths match their pattern."""
    rule = rules.get(tuple(path))
    if rule is not None:
        if rule.get("match") == "regex" and rule.get("regex"):
            return isinstance(actual, str) and re.fullmatch(rule["regex"], actual) is not None
        return True
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            matches(expected[k], actual[k], rules, path + [k]) for k in expected)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            matches(e, a, rules, path + [i]) for i, (e, a) in enumerate(zip(expected, actual)))
    return same(expected, actual)


def strip_blocks(types):
    """The event types outside Map/Parallel blocks, in order."""
    out, depth = [], 0
    for t in types:
        if t in BLOCK_START:
            depth += 1
            out.append(t)
        elif t in BLOCK_END:
            depth = max(0, depth - 1)
            out.append(t)
        elif depth == 0:
            out.append(t)
    return out


def events_match(expected, actual, parallel_sorted=False):
    if expected == actual:
        return True
    if parallel_sorted:
        # The recording sorted the events inside Parallel blocks and dropped
        # duplicates (ids are gone, identical events collapse): compare what
        # is outside the blocks in order and the kinds of events inside.
        def outside(types):
            first = next((i for i, t in enumerate(types) if t in BLOCK_START), len(types))
            last = max((i for i, t in enumerate(types) if t.endswith("StateExited")
                        and t.startswith("Parallel")), default=len(types) - 1)
            return types[:first], types[last + 1:]
        return outside(expected) == outside(actual) and set(expected) <= set(actual) and \
            set(actual) - set(expected) <= {"ParallelStateSucceeded"}
    if sorted(expected) != sorted(actual):
        return False
    return strip_blocks(expected) == strip_blocks(actual)


def decode(v):
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


PLACEHOLDER_WORDS = re.compile(r"^(timestamp|date|snf_role_arn|start-time|entered-time)$")
PLACEHOLDER_PART = re.compile(r"<[^<>]+>")


def is_placeholder(v):
    if isinstance(v, str) and PLACEHOLDER_WORDS.match(v):
        return True
    if isinstance(v, str) and PLACEHOLDER_PART.search(v) and len(v) > 300:
        return True  # a long text with placeholders: compared by its pattern elsewhere
    if isinstance(v, dict):
        return any(is_placeholder(x) for x in v.values())
    if isinstance(v, list):
        return any(is_placeholder(x) for x in v)
    return False


def same_pattern(e, a):
    """same(), where a "<...>" part of an expected string matches any text."""
    if isinstance(e, str) and PLACEHOLDER_PART.search(e):
        pattern = ".*".join(re.escape(p) for p in PLACEHOLDER_PART.split(e))
        return isinstance(a, str) and re.fullmatch(pattern, a, re.S) is not None
    if isinstance(e, dict) and isinstance(a, dict):
        return e.keys() == a.keys() and all(same_pattern(e[k], a[k]) for k in e)
    if isinstance(e, list) and isinstance(a, list):
        return len(e) == len(a) and all(same_pattern(x, y) for x, y in zip(e, a))
    return same(e, a)


DETAIL_FIELDS = ("name", "input", "output", "error", "cause", "index", "length")


def details_match(expected_events, actual_events):
    """Per-event details where the recorded history is in the same order."""
    if [e["type"] for e in expected_events] != [e["type"] for e in actual_events]:
        return False, "event order differs (details not comparable)"
    for e, a in zip(expected_events, actual_events):
        if isinstance(e.get("id"), int) and e["id"] != a.get("id"):
            return False, "event %s: id %s != %s" % (e["type"], e["id"], a.get("id"))
        if isinstance(e.get("id"), int) and e.get("previousEventId") != a.get("previousEventId"):
            return False, "event #%s %s: previousEventId %s != %s" % (
                e["id"], e["type"], e.get("previousEventId"), a.get("previousEventId"))
        ekey = next((k for k in e if k.endswith("EventDetails")), None)
        if ekey is None:
            continue
        ed, ad = e[ekey], a.get(ekey, {})
        for field in DETAIL_FIELDS:
            if field not in ed:
                continue
            ev, av = decode(ed[field]), decode(ad.get(field))
            if is_placeholder(ev) or is_placeholder(ed[field]):
                continue
            if same_pattern(ed[field], ad.get(field)) or same_pattern(ev, av):
                continue
            if not same(ev, av):
                return False, "event #%s %s.%s: %s != %s" % (
                    e.get("id"), e["type"], field, json.dumps(ev)[:200], json.dumps(av)[:200])
    return True, ""


def run_batch(cases):
    """Runs cases through one `weft run --batch` process; returns {id: result}."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for c in cases:
            f.write(json.dumps({"id": c["id"], "definition": c["definition"],
                                "express": c.get("state_machine_type") == "EXPRESS",
                                "input_json": c.get("input_json") or json.dumps(c["input"])}) + "\n")
        name = f.name
    try:
        p = subprocess.run([WEFT_BIN, "run", "--batch", name, "--json", "--history"],
                           capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return {}
    finally:
        os.unlink(name)
    results = {}
    for line in p.stdout.splitlines():
        try:
            r = json.loads(line)
            results[r.get("id")] = r
        except ValueError:
            pass
    return results


def run_all(cases, workers=2):
    chunks = [cases[i::workers] for i in range(workers)]
    results = {}
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for r in pool.map(run_batch, chunks):
            results.update(r)
    # A crash loses the rest of a batch: run what is missing one by one.
    missing = [c for c in cases if c["id"] not in results]
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for c, r in zip(missing, pool.map(lambda c: run_batch([c]), missing)):
            results[c["id"]] = r.get(c["id"], {"status": "CRASH", "error": "weft run crashed"})
    return results


def check_case(case, result, history):
    """Returns {check: (ok, reason)} for one case."""
    exp = case["expected"]
    rules = placeholder_rules(case)
    checks = {}
    status_ok = result.get("status") == exp["status"]
    reason = "" if status_ok else "status %s != %s (%s: %s)" % (
        result.get("status"), exp["status"], result.get("error"), str(result.get("cause"))[:300])
    if status_ok and exp["status"] == "SUCCEEDED":
        if not matches(exp["output"], result.get("output"), rules, ["output"]):
            status_ok = False
            reason = "output %s != %s" % (json.dumps(result.get("output"))[:300],
                                          json.dumps(exp["output"])[:300])
    checks["status/output"] = (status_ok, reason)
    if exp["status"] == "FAILED":
        cause = result.get("cause")
        if case.get("cause_is_json") or isinstance(exp.get("cause"), (dict, list)):
            cause = decode(cause)
        ok = result.get("error") == exp.get("error") and matches(exp.get("cause"), cause, rules,
                                                                 ["cause"])
        checks["error/cause"] = (ok, "" if ok else "error/cause %r %r != %r %r" % (
            result.get("error"), str(cause)[:300], exp.get("error"), str(exp.get("cause"))[:300]))
    if case.get("events"):
        actual = [e["type"] for e in result.get("history") or []]
        ok = events_match(case["events"], actual, case.get("events_parallel_sorted", False))
        checks["events"] = (ok, "" if ok else "events %s != %s" % (actual, case["events"]))
    if history is not None and "nondeterministic" not in (case.get("needs") or []):
        checks["event details"] = details_match(history, result.get("history") or [])
    return checks


class Tally:
    """Pass counts per category and per check. A case passes when every check
    but the strict event details passes."""

    def __init__(self):
        self.per_category = collections.defaultdict(lambda: [0, 0])
        self.per_check = collections.defaultdict(lambda: [0, 0])
        self.passed = 0
        self.total = 0
        self.failures = []  # (case id, check, why)
        self.failed_ids = []

    def add(self, case, checks):
        ok = all(v[0] for k, v in checks.items() if k != "event details")
        self.passed += ok
        self.total += 1
        if not ok:
            self.failed_ids.append(case["id"])
        self.per_category[case["category"]][0] += ok
        self.per_category[case["category"]][1] += 1
        for k, (v, why) in checks.items():
            self.per_check[k][0] += v
            self.per_check[k][1] += 1
            if not v:
                self.failures.append((case["id"], k, why))
        return ok

    def print_table(self, verbose=False):
        for cat, (p, n) in sorted(self.per_category.items()):
            print("  category %-22s %4d / %-4d" % (cat, p, n))
        for k, (p, n) in sorted(self.per_check.items()):
            print("  check    %-22s %4d / %-4d" % (k, p, n))
        if verbose:
            for case_id, check, why in self.failures:
                print("FAIL [%s] %s\n     %s" % (check, case_id, why))

