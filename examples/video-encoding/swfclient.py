"""What the decider, the workers and run.py share: the SWF client, the names
of the domain, types and task lists, and their idempotent registration."""

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

WORKFLOW = {"name": "video-encoding", "version": "1"}
# One child workflow per chunk: it encodes the chunk, retrying the encoder.
CHUNK_WORKFLOW = {"name": "encode-chunk", "version": "1"}
ACTIVITIES = ("split", "encode", "combine")
VERSION = "1"
DECISION_TASK_LIST = "video-decisions"
ACTIVITY_TASK_LIST = "video-work"
MAX_ATTEMPTS = 3


def client(endpoint, region="us-east-1"):
    """A boto3 SWF client for weft. The read timeout exceeds the server's
    long-poll hold (60 s at most), as SWF clients must."""
    return boto3.client("swf", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id="weft", aws_secret_access_key="weft",
                        config=Config(read_timeout=70, retries={"max_attempts": 3}))


def _ignore_exists(fn, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        if e.response["Error"]["Code"] not in ("DomainAlreadyExistsFault",
                                               "TypeAlreadyExistsFault"):
            raise


def register(swf, domain):
    """Registers the domain, the workflow type and the activity types (each
    only if missing), with the defaults the decider relies on."""
    _ignore_exists(swf.register_domain, name=domain,
                   workflowExecutionRetentionPeriodInDays="1",
                   description="weft example: video encoding")
    for workflow in (WORKFLOW, CHUNK_WORKFLOW):
        # TERMINATE: children of a parent that is terminated or times out
        # stop too, so no encoding goes on for a job nobody waits for.
        _ignore_exists(swf.register_workflow_type, domain=domain, **workflow,
                       defaultTaskList={"name": DECISION_TASK_LIST},
                       defaultExecutionStartToCloseTimeout="600",
                       defaultTaskStartToCloseTimeout="30",
                       defaultChildPolicy="TERMINATE")
    for name in ACTIVITIES:
        _ignore_exists(swf.register_activity_type, domain=domain, name=name,
                       version=VERSION,
                       defaultTaskList={"name": ACTIVITY_TASK_LIST},
                       defaultTaskScheduleToStartTimeout="120",
                       defaultTaskScheduleToCloseTimeout="300",
                       defaultTaskStartToCloseTimeout="120",
                       defaultTaskHeartbeatTimeout="30")
