#!/usr/bin/env python3
"""Conformance of the Step Functions API against executions recorded on AWS.

The same cases and the same comparison as test_asl_conformance.py (which runs
them through `weft run`, in process), but end to end through a real
`weft server` and boto3: CreateStateMachine (STANDARD or EXPRESS as the case
says), StartExecution (StartSyncExecution for `start_sync_execution` cases),
DescribeExecution until the execution ends, GetExecutionHistory (following
nextToken), then check_case() of conformance_compare.py. Cases run
concurrently, so Wait states really wait without making the suite long; cases
that would wait longer than MAX_WAIT_SECONDS are skipped and counted.

Both query languages run (JSONata cases are also counted apart). Counted
apart, not run: cases that call other services (not pure ASL: they need
tasks).

A case that fails here but passes through `weft run` is a bug of the server
side (engine, sfn front door), not of the interpreter: the test prints those
as "API-only failures". The test fails when a pass count (all cases, or one
check) drops below its floor.

Environment: WEFT_BIN (default: build/weft), WEFT_SHARED_DIR (default:
../shared beside the repository), WEFT_CONFORMANCE_VERBOSE=1 prints every
difference, WEFT_CONFORMANCE_ONLY=<substring> runs matching case ids only
(floors are then not asserted), WEFT_CONFORMANCE_THREADS (default 16).
"""
import concurrent.futures
import hashlib
import json
import os
import sys
import time
import unittest

from conformance_compare import (CONFORMANCE, REPO, WEFT_BIN, Tally, check_case, decode,
                                 is_jsonata, load_cases, run_all)

# Fully passing cases (status/output/cause and event types), and passes per
# check, must not drop below these numbers (measured; raise them as weft
# improves, never lower them to hide a regression).
PASS_FLOOR = 553
JSONATA_FLOOR = 51
CHECK_FLOORS = {"status/output": 553, "error/cause": 60, "events": 253, "event details": 238}

# Cases whose Wait states (bounded by the execution's TimeoutSeconds) would
# keep them running longer than this are skipped.
MAX_WAIT_SECONDS = 5.0
ROLE_ARN = "arn:aws:iam::123456789012:role/conformance"
THREADS = int(os.environ.get("WEFT_CONFORMANCE_THREADS", "16"))


def effective_wait(case):
    """How long a correct run of the case really waits, in seconds."""
    wait = float(case.get("max_wait_seconds") or 0)
    if case.get("timeout_seconds"):
        wait = min(wait, float(case["timeout_seconds"]))
    return wait


def sfn_client(url, threads):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "stepfunctions", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(inject_host_prefix=False, read_timeout=60, connect_timeout=5,
                      retries={"max_attempts": 1}, max_pool_connections=threads + 4))


def machine_name(index, case):
    return "conf-%d-%s" % (index, hashlib.sha1(case["id"].encode()).hexdigest()[:10])


def api_error(exc):
    err = getattr(exc, "response", {}).get("Error", {})
    return err.get("Code") or type(exc).__name__, err.get("Message") or str(exc)


def history_of(sfn, arn):
    events, token = [], None
    while True:
        kwargs = {"executionArn": arn, "maxResults": 1000}
        if token:
            kwargs["nextToken"] = token
        page = sfn.get_execution_history(**kwargs)
        events.extend(page.get("events", []))
        token = page.get("nextToken")
        if not token:
            return events


def as_result(described, history):
    """The shape check_case() reads, from DescribeExecution (or StartSyncExecution)."""
    result = {"status": described.get("status"), "error": described.get("error"),
              "cause": described.get("cause"), "history": history}
    if "output" in described:
        result["output"] = decode(described["output"])
    for event in history:  # timestamps are datetimes: not compared, keep them printable
        event.pop("timestamp", None)
    return result


def run_case(sfn, index, case):
    """Runs one case through the API; returns a result dict for check_case()."""
    express = case.get("state_machine_type") == "EXPRESS"
    try:
        machine = sfn.create_state_machine(
            name=machine_name(index, case), definition=json.dumps(case["definition"]),
            roleArn=ROLE_ARN, type="EXPRESS" if express else "STANDARD")["stateMachineArn"]
    except Exception as e:  # an answer AWS did not give: the case fails with it
        code, message = api_error(e)
        return {"status": "CreateStateMachine: " + code, "error": code, "cause": message}
    text = case.get("input_json") or json.dumps(case["input"])
    try:
        if case.get("start") == "start_sync_execution":
            return as_result(sfn.start_sync_execution(stateMachineArn=machine, input=text), [])
        arn = sfn.start_execution(stateMachineArn=machine, input=text)["executionArn"]
        deadline = time.monotonic() + effective_wait(case) + 30
        delay = 0.01
        while True:
            described = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                break
            if time.monotonic() > deadline:
                return {"status": "STILL RUNNING after the deadline"}
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        history = [] if express else history_of(sfn, arn)
        return as_result(described, history)
    except Exception as e:
        code, message = api_error(e)
        return {"status": "API error: " + code, "error": code, "cause": message}


def start_server():
    """A weft server from tests/integration/weftserver.py (free port, own data dir)."""
    sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
    import weftserver
    server = weftserver.WeftServer()
    server.start()
    return server


class SfnApiConformanceTest(unittest.TestCase):
    def test_conformance_through_the_api(self):
        cases, histories = load_cases()
        if cases is None:
            self.skipTest("no conformance cases at %s (../shared is absent; set WEFT_SHARED_DIR)"
                          % CONFORMANCE)
        if not os.path.exists(WEFT_BIN):
            self.skipTest("no weft binary at %s (set WEFT_BIN)" % WEFT_BIN)
        os.environ.setdefault("WEFT_BIN", WEFT_BIN)
        not_pure = [c for c in cases if not c.get("pure_asl")]
        pure = [c for c in cases if c.get("pure_asl")]
        long_waits = [c for c in pure if effective_wait(c) > MAX_WAIT_SECONDS]
        runnable = [c for c in pure if effective_wait(c) <= MAX_WAIT_SECONDS]

        server = start_server()
        self.addCleanup(server.cleanup)
        sfn = sfn_client(server.url, THREADS)
        began = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            # The longest waits first, so that they overlap the rest.
            order = sorted(range(len(runnable)), key=lambda i: -effective_wait(runnable[i]))
            futures = {i: pool.submit(run_case, sfn, i, runnable[i]) for i in order}
            results = {runnable[i]["id"]: f.result() for i, f in futures.items()}
        seconds = time.monotonic() - began
        alive = server.alive()

        tally = Tally()
        jsonata_passed = 0
        for c in runnable:
            checks = check_case(c, results[c["id"]], histories.get(c["id"]))
            tally.add(c, checks)
            jsonata_passed += is_jsonata(c) and all(ok for ok, _ in checks.values())
        # The failing cases again through `weft run`: those that pass there
        # fail because of the server side.
        failed = [c for c in runnable if c["id"] in set(tally.failed_ids)]
        in_process = run_all(failed) if failed else {}
        api_only = [c for c in failed
                    if all(ok for k, (ok, _) in check_case(c, in_process.get(c["id"], {}),
                                                           None).items())]

        print("\nStep Functions API conformance: %d of %d pure-ASL cases pass "
              "through `weft server` + boto3 in %.1f s (floor %d); JSONata %d of %d (floor %d)"
              % (tally.passed, len(runnable), seconds, PASS_FLOOR, jsonata_passed,
                 sum(map(is_jsonata, runnable)), JSONATA_FLOOR))
        print("  not run: %d cases that need other services "
              "(tasks), %d cases that wait longer than %.0f s (%s)"
              % (len(not_pure), len(long_waits), MAX_WAIT_SECONDS,
                 ", ".join("%s: %.0f s" % (c["id"].split("::")[-1], effective_wait(c))
                           for c in long_waits) or "none"))
        tally.print_table(os.environ.get("WEFT_CONFORMANCE_VERBOSE") == "1")
        print("  API-only failures (pass through `weft run`): %d" % len(api_only))
        for c in api_only:
            for case_id, check, why in tally.failures:
                if case_id == c["id"]:
                    print("    [%s] %s\n       %s" % (check, case_id, why))
        if not alive:
            print("server died during the run:\n" + server.stderr_tail())
        self.assertTrue(alive, "the server died during the run")
        if os.environ.get("WEFT_CONFORMANCE_ONLY"):
            return
        self.assertGreaterEqual(tally.passed, PASS_FLOOR, "API conformance regressed")
        self.assertGreaterEqual(jsonata_passed, JSONATA_FLOOR, "JSONata API conformance regressed")
        for check, floor in CHECK_FLOORS.items():
            self.assertGreaterEqual(tally.per_check[check][0], floor,
                                    "API conformance regressed on the check " + check)


if __name__ == "__main__":
    unittest.main()
