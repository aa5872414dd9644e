#!/usr/bin/env python3
"""Prints the input of bench/asl/map10k.json: {"items": [...]} with N items
(default 10000). Item i is {"id": i, "score": (i * 37) % 100, "name": "item-<i>"},
so that the Choice sends about half of the items each way."""
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
items = [{"id": i, "score": (i * 37) % 100, "name": f"item-{i}"} for i in range(n)]
json.dump({"items": items}, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
