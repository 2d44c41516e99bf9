#!/usr/bin/env python3
"""The Sysmon-like events of gen_sysmon_events.py with every value the rule index searches made
unique (the line number appended to paths, command lines, users, ...): the worst case for the
index's memory of values seen before, which real logs, whose values mostly repeat, do not reach.

usage: gen_unique_values.py EVENTS_FILE > OUT
"""
import json
import sys

FIELDS = (
    "CommandLine",
    "Image",
    "ParentImage",
    "TargetFilename",
    "TargetObject",
    "User",
    "Details",
    "QueryName",
    "DestinationHostname",
)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as events:
        for i, line in enumerate(events):
            event = json.loads(line)
            for field in FIELDS:
                if isinstance(event.get(field), str):
                    event[field] += f" u{i}"
            sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
