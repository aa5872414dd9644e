#!/usr/bin/env python3
"""Conformance of `weft run` against executions recorded on AWS Step Functions.

Runs every pure-ASL case of $WEFT_SHARED_DIR/conformance/asl/cases.jsonl (the
JSONPath query language; JSONata cases are counted as not supported) through
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
PASS_FLOOR = 502


class AslConformanceTest(unittest.TestCase):
    def test_conformance(self):
        cases, histories = load_cases()
        if cases is None:
            self.skipTest("no conformance cases at %s (set WEFT_SHARED_DIR)" % CONFORMANCE)
        if not os.path.exists(WEFT_BIN):
            self.skipTest("no weft binary at %s (set WEFT_BIN)" % WEFT_BIN)
        unsupported = [c for c in cases if is_jsonata(c)]
        not_pure = [c for c in cases if not c.get("pure_asl") and c not in unsupported]
        runnable = [c for c in cases if c.get("pure_asl") and c not in unsupported]
        results = run_all(runnable + not_pure)
        # Cases that call other services run without them only when they fail
        # before the call; the rest stop at the first Task ("no mocked response").
        not_pure_passed = sum(
            all(v[0] for k, v in check_case(c, results.get(c["id"], {}), None).items())
            for c in not_pure)

        tally = Tally()
        for c in runnable:
            tally.add(c, check_case(c, results.get(c["id"], {}), histories.get(c["id"])))
        print("\nASL conformance: %d of %d pure-ASL JSONPath cases pass (floor %d); "
              "%d JSONata cases not supported; %d cases need other services"
              % (tally.passed, len(runnable), PASS_FLOOR, len(unsupported), len(not_pure)))
        print("  cases calling other services that pass without them: %d / %d"
              % (not_pure_passed, len(not_pure)))
        tally.print_table(os.environ.get("WEFT_CONFORMANCE_VERBOSE") == "1")
        self.assertGreaterEqual(tally.passed, PASS_FLOOR, "conformance regressed below the floor")

if __name__ == "__main__":
    unittest.main()
