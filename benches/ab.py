#!/usr/bin/env python3
"""Interleaved A/B timing: runs each command in turn, N rounds, and prints for each the least
elapsed and CPU time and the largest peak RSS. On a noisy machine, comparing two builds this way
(rather than one after the other) keeps drift from favouring either. The peak RSS is the
child's as `wait4` reports it, which includes the forked Python before `exec`: below about
15 MB it reads as about 15 MB (`/usr/bin/time -f %M` tells small ones).

usage: benches/ab.py N 'command A' 'command B' ...
   eg: benches/ab.py 8 './old run R F --threads 1' './target/release/spelunk run R F --threads 1'
"""
import os
import shlex
import subprocess
import sys
import time


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    commands = sys.argv[2:]
    best = [[float("inf"), float("inf"), 0] for _ in commands]
    for _ in range(rounds):
        for i, command in enumerate(commands):
            start = time.time()
            child = subprocess.Popen(
                shlex.split(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            _, _, usage = os.wait4(child.pid, 0)
            elapsed = time.time() - start
            cpu = usage.ru_utime + usage.ru_stime
            b = best[i]
            b[0], b[1], b[2] = min(b[0], elapsed), min(b[1], cpu), max(b[2], usage.ru_maxrss)
    for command, (elapsed, cpu, rss) in zip(commands, best):
        print(f"elapsed {elapsed:.3f} s  cpu {cpu:.3f} s  peak RSS {rss / 1024:.1f} MB  {command}")


if __name__ == "__main__":
    main()
