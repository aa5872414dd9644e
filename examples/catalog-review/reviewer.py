#!/usr/bin/env python3
"""A scripted reviewer: takes reviews from the review app's queue and answers
Step Functions with the task token, from its own process, with boto3:
SendTaskSuccess to approve (with the reviewer's notes), SendTaskFailure with
error "Review.Rejected" to reject. Its decisions depend only on the item and
the review round (decide() below), so that a run's outcome is known ahead.

    python3 examples/catalog-review/reviewer.py --endpoint http://127.0.0.1:7070 \\
        --review-app http://127.0.0.1:7071
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

APPROVE, REJECT, IGNORE = "approve", "reject", "ignore"


def decide(item, round_):
    """(verdict, text) for one review of `item` in round `round_` (1-based).

    - an item without a description is rejected in every round;
    - an item flagged "needs-retouch" is rejected in round 1 (its photo is
      retouched meanwhile) and approved afterwards;
    - an item flagged "slow-review" is left unanswered in round 1, so that
      its review times out, and approved afterwards;
    - everything else is approved."""
    flags = item.get("flags") or []
    if not item.get("description"):
        return REJECT, "%s has no description" % item["id"]
    if "needs-retouch" in flags and round_ == 1:
        return REJECT, "%s: main photo needs retouching" % item["id"]
    if "slow-review" in flags and round_ == 1:
        return IGNORE, "%s: put aside, not answered" % item["id"]
    return APPROVE, "%s: %s listing checked, price %.2f ok" % (
        item["id"], item.get("category", "?"), item.get("price", 0))


def sfn_client(endpoint):
    import boto3
    from botocore.config import Config
    return boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(retries={"max_attempts": 2}, connect_timeout=5,
                                      read_timeout=30))


def next_review(app, wait):
    try:
        with urllib.request.urlopen("%s/reviews/next?wait=%g" % (app, wait),
                                    timeout=wait + 10) as resp:
            return json.loads(resp.read()) if resp.status == 200 else None
    except urllib.error.URLError:
        time.sleep(0.2)  # the app is not up yet, or going away
        return None


def answer(sfn, name, review):
    from botocore.exceptions import ClientError
    item, round_ = review["item"], review.get("round", 1)
    verdict, text = decide(item, round_)
    try:
        if verdict == APPROVE:
            sfn.send_task_success(taskToken=review["taskToken"], output=json.dumps(
                {"decision": "APPROVED", "reviewer": name, "notes": text}))
        elif verdict == REJECT:
            sfn.send_task_failure(taskToken=review["taskToken"], error="Review.Rejected",
                                  cause=text)
    except ClientError as e:  # e.g. TaskTimedOut: the review came too late
        verdict = "%s (refused: %s)" % (verdict, e.response["Error"]["Code"])
    print("%s: round %s %s %s: %s" % (name, round_, item["id"], verdict, text), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", default="http://127.0.0.1:7070", help="weft's URL")
    p.add_argument("--review-app", default="http://127.0.0.1:7071")
    p.add_argument("--name", default="reviewer-1")
    p.add_argument("--idle-exit", type=float, default=0,
                   help="exit after this many seconds without a review (0: never)")
    args = p.parse_args()

    sfn = sfn_client(args.endpoint)
    idle_since = time.monotonic()
    try:
        while not args.idle_exit or time.monotonic() - idle_since < args.idle_exit:
            review = next_review(args.review_app, 1.0)
            if review:
                answer(sfn, args.name, review)
                idle_since = time.monotonic()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
