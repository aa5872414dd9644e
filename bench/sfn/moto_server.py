#!/usr/bin/env python3
"""moto's server for the Step Functions benchmark, with getmoto/moto#10077 fixed.

    python3 bench/sfn/moto_server.py -H 127.0.0.1 -p PORT


moto 5.2.1 (the machine's) runs only one execution with
`execute_state_machine` on: StartExecution deep-copies the state machine,
including its executions and its `backend` (so every state machine and
execution of the account), and the locks of a started execution cannot be
copied, so every later StartExecution answers 500 ("cannot pickle
'_thread.RLock' object"). Upstream fixed it (PR #10093) by leaving the
executions out of the copy; this does the same for that one call, through a
deepcopy memo that maps the executions list to an empty list and the backend
to itself (shared, not copied). Nothing else of moto changes.
"""
import argparse
import copy
import signal
import threading
import types

from moto.stepfunctions.parser import models


def _snapshot(value, memo=None):
    memo = {} if memo is None else memo
    executions = getattr(value, "executions", None)
    if isinstance(executions, list):
        memo.setdefault(id(executions), [])
    backend = getattr(value, "backend", None)
    if backend is not None:
        memo.setdefault(id(backend), backend)
    return copy.deepcopy(value, memo)


# Only the name `copy` inside moto's parser models module (its one use is
# the state machine snapshot of start_execution).
models.copy = types.SimpleNamespace(deepcopy=_snapshot)

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    # moto's threaded server class (the one its own tests use); stopped by
    # SIGTERM or SIGINT.
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
