#!/usr/bin/env python3
"""Optional check (not run in CI): the Spark SQL that `spelunk convert --to sql --dialect spark`
writes for the shipped SPL rules returns the same rows in PySpark local mode as `spelunk run`.

Needs Java 17 and `pip install pyspark`. Run from the repository root:
    cargo build --release && python3 scripts/spark_check.py
"""
import json
import subprocess
import sys
from pathlib import Path

SPELUNK = Path("target/release/spelunk")
CASES = [  # (rule, events)
    ("rules/spl/t1071_003_mail_protocols.spl", "rules/tests/t1071_003_mail_protocols/events.ndjson"),
]


def spelunk(*args: str) -> str:
    return subprocess.run([str(SPELUNK), *args], check=True, capture_output=True, text=True).stdout


def normalise(row: dict) -> tuple:
    def text(v):
        if isinstance(v, list):
            return tuple(sorted(text(x) for x in v))
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v)
    return tuple(sorted((k, text(v)) for k, v in row.items() if v is not None))


def main() -> int:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        print("pyspark is not installed: pip install pyspark (and Java 17)")
        return 2
    spark = SparkSession.builder.master("local[2]").appName("spelunk-check").getOrCreate()
    failures = 0
    for rule, events in CASES:
        sql = spelunk("convert", rule, "--to", "sql", "--dialect", "spark")
        spark.read.json(events).createOrReplaceTempView("events")
        spark_rows = [normalise(r.asDict(recursive=True)) for r in spark.sql(sql).collect()]
        ours = [normalise(json.loads(l)) for l in spelunk("run", rule, events, "--format", "json").splitlines() if l]
        same = sorted(spark_rows) == sorted(ours)
        failures += not same
        print(f"{'PASS' if same else 'FAIL'} {rule}: spark {len(spark_rows)} rows, spelunk {len(ours)} rows")
    spark.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
