#!/usr/bin/env python3
"""Writes N deterministic stream/firewall-like network events (NDJSON, ~400 bytes each) for benchmarks.

usage: gen_mail_events.py N > events.ndjson
"""
import json
import random
import sys

def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(1071003)
    sourcetypes = [("network", "stream:smtp"), ("network", "stream:pop3"), ("network", "stream:imap"),
                   ("firewall", "pan:traffic"), ("firewall", "cisco:asa"), ("main", "stream:http")]
    ports = [25, 465, 587, 110, 995, 143, 993, 443, 80, 53]
    procs = ["outlook.exe", "thunderbird.exe", "powershell.exe", "curl", "nc", "python3", "chrome.exe", None]
    out = sys.stdout
    base = 1715644800.0
    for i in range(n):
        index, sourcetype = rng.choice(sourcetypes)
        event = {
            "_time": round(base + i * 0.05 + rng.random() * 0.01, 3),
            "index": index,
            "sourcetype": sourcetype,
            "host": f"sensor{rng.randrange(8):02d}",
            "src_ip": f"10.{rng.randrange(2)}.{rng.randrange(2)}.{rng.randrange(1, 16)}",
            "src_port": rng.randrange(1024, 65535),
            "dest_ip": f"203.0.113.{rng.randrange(1, 9)}",
            "dest_port": rng.choice(ports),
            "transport": "tcp",
            "action": rng.choice(["allowed", "allowed", "allowed", "blocked"]),
            "bytes_in": rng.randrange(100, 100_000),
            "bytes_out": rng.randrange(100, 50_000),
            "src_user": rng.choice(["alice", "bob", "carol", "svc_backup", "SYSTEM"]),
            "app": "mail",
            "dest_mac": "00:1b:17:00:%02x:%02x" % (rng.randrange(256), rng.randrange(256)),
            "src_mac": "00:50:56:a1:%02x:%02x" % (rng.randrange(256), rng.randrange(256)),
            "packets_in": rng.randrange(1, 5000),
            "packets_out": rng.randrange(1, 5000),
            "session_id": "%016x" % rng.getrandbits(64),
            "rule": rng.choice(["allow-mail-out", "allow-dns", "default-deny", "allow-web"]),
            "vendor_product": rng.choice(["Palo Alto Networks Firewall", "Cisco ASA", "Splunk Stream"]),
        }
        proc = rng.choice(procs)
        if proc is not None:
            event["process_name"] = proc
        out.write(json.dumps(event, separators=(",", ":")) + "\n")

if __name__ == "__main__":
    main()
