#!/usr/bin/env python3
"""Conformance of `weft run` against executions recorded on AWS Step Functions.

Runs every pure-ASL case of $WEFT_SHARED_DIR/conformance/asl/cases.jsonl (both
query languages, JSONPath and JSONata; the JSONata ones are also counted apart) through
`$WEFT_BIN run --batch FILE --json --history`, compares status, output, error,
cause, the event type sequence and, where histories.jsonl has it, each event's
details, as conformance/README.md describes. Prints pass rates per category and
per check. The test fails only when the number of fully passing cases drops
below PASS_FLOOR (raise it as weft improves; never lower it to hide a
regression).

Environment: WEFT_BIN (default: build/weft), WEFT_SHARED_DIR (default:
../shared beside the repository), WEFT_CONFORMANCE_VERBOSE=1 prints every
difference, WEFT_CONFORMANCE_ONLY=<substring> runs matching case ids only.
"""
import os
import unittest

from conformance_compare import (CONFORMANCE, WEFT_BIN, Tally, check_case, is_jsonata,
                                 load_cases, run_all)

# Fully passing cases (status/output/cause and event types) must not drop
# below this number.
PASS_FLOOR = 553
# Of them, the JSONata cases.
JSONATA_FLOOR = 51


class AslConformanceTest(unittest.TestCase):
    def test_conformance(self):
        cases, histories = load_cases()
        if cases is None:
            self.skipTest("no conformance cases at %s (set WEFT_SHARED_DIR)" % CONFORMANCE)
        if not os.path.exists(WEFT_BIN):
            self.skipTest("no weft binary at %s (set WEFT_BIN)" % WEFT_BIN)
        not_pure = [c for c in cases if not c.get("pure_asl")]
        runnable = [c for c in cases if c.get("pure_asl")]
        results = run_all(runnable + not_pure)
        # Cases that call other services run without them only when they fail
        # before the call; the rest stop at the first Task ("no mocked response").
        not_pure_passed = sum(
            all(v[0] for k, v in check_case(c, results.get(c["id"], {}), None).items())
            for c in not_pure)

        tally = Tally()
        jsonata_passed = 0
        for c in runnable:
            checks = check_case(c, results.get(c["id"], {}), histories.get(c["id"]))
            tally.add(c, checks)
            jsonata_passed += is_jsonata(c) and all(v[0] for v in checks.values())
        print("\nASL conformance: %d of %d pure-ASL cases pass (floor %d), of which JSONata "
              "%d of %d (floor %d); %d cases need other services"
              % (tally.passed, len(runnable), PASS_FLOOR, jsonata_passed,
                 sum(map(is_jsonata, runnable)), JSONATA_FLOOR, len(not_pure)))
        print("  cases calling other services that pass without them: %d / %d"
              % (not_pure_passed, len(not_pure)))
        tally.print_table(os.environ.get("WEFT_CONFORMANCE_VERBOSE") == "1")
        self.assertGreaterEqual(tally.passed, PASS_FLOOR, "conformance regressed below the floor")
        self.assertGreaterEqual(jsonata_passed, JSONATA_FLOOR,
                                "JSONata conformance regressed below its floor")

if __name__ == "__main__":
    unittest.main()
