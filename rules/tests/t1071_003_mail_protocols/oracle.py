#!/usr/bin/env python3
"""Independent oracle for rules/tests/t1071_003_mail_protocols.

Re-implements, in plain Python and only for this one detection, the Splunk
semantics listed in README.md, runs them over events.ndjson and compares the
result with expected.ndjson (which was derived by hand).  It shares no code
with spelunk.

    python3 oracle.py            # compare with expected.ndjson, exit 1 on mismatch
    python3 oracle.py --trace    # also show what happened to every event
    python3 oracle.py --print    # print the computed rows as NDJSON
"""
import calendar
import functools
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

SOURCETYPES = ["stream:smtp", "stream:pop3", "stream:imap", "pan:traffic", "cisco:asa"]
MAIL_PORTS = [25, 465, 587, 110, 995, 143, 993]
EXCLUDED_PROCS = ["outlook.exe", "thunderbird.exe", "OUTLOOK.EXE", "MailClient.exe"]
BY = ["src_ip", "dest_ip", "dest_port", "Protocol", "process_name"]
COLUMNS = ["FirstSeen", "LastSeen", "src_ip", "dest_ip", "Protocol", "dest_port",
           "process_name", "Users", "ConnectionCount", "BytesSent", "Severity"]
MAILISH = re.compile(r"(?i)(outlook|thunderbird|mail)")


def text(v):
    """The SPL text of a JSON scalar; None for a missing field or JSON null."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def number(s):
    """The number a text denotes, or None."""
    if s is None:
        return None
    try:
        return float(s)
    except ValueError:
        return None


def epoch_ms(iso):
    """'2024-05-14T09:12:33.418Z' -> integer epoch milliseconds (exact)."""
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?Z", iso)
    y, mo, d, h, mi, s, frac = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s), 0, 0, 0))
    return secs * 1000 + int((frac or "0").ljust(3, "0"))


def ms_to_json(ms):
    return ms // 1000 if ms % 1000 == 0 else ms / 1000


# ---- search-language matching (case-insensitive, value as text) ----------
def s_eq(event, field, value):
    t = text(event.get(field))
    return t is not None and t.lower() == str(value).lower()


def s_in(event, field, values):
    return any(s_eq(event, field, v) for v in values)


def first_search(e):
    """index=network OR index=firewall sourcetype IN (...) (dest_port IN (...)) action=allowed
    == (index=network OR index=firewall) AND sourcetype IN AND dest_port IN AND action=allowed"""
    if not (s_eq(e, "index", "network") or s_eq(e, "index", "firewall")):
        return "index"
    if not s_in(e, "sourcetype", SOURCETYPES):
        return "sourcetype"
    if not s_in(e, "dest_port", MAIL_PORTS):
        return "dest_port"
    if not s_eq(e, "action", "allowed"):
        return "action"
    return None


# ---- eval-language comparison (exact; numeric when both are numbers) ------
def e_eq(a, b):
    ta, tb = text(a), text(b)
    if ta is None or tb is None:
        return False
    na, nb = number(ta), number(tb)
    if na is not None and nb is not None:
        return na == nb
    return ta == tb


def protocol(e):
    p = e.get("dest_port")
    if any(e_eq(p, x) for x in (25, 465, 587)):
        return "SMTP"
    if any(e_eq(p, x) for x in (110, 995)):
        return "POP3"
    if any(e_eq(p, x) for x in (143, 993)):
        return "IMAP"
    return "Unknown"


def spl_cmp(a, b):
    """Ascending comparison: numeric when both are numbers, else byte-wise text."""
    na, nb = number(a), number(b)
    if na is not None and nb is not None:
        return (na > nb) - (na < nb)
    ba, bb = a.encode(), b.encode()
    return (ba > bb) - (ba < bb)


def run(events, trace=None):
    groups = {}
    for lineno, e in events:
        why = first_search(e)
        if why:
            trace and trace(lineno, f"excluded by first search: {why}")
            continue
        e = dict(e, Protocol=protocol(e))
        if s_in(e, "process_name", EXCLUDED_PROCS):
            trace and trace(lineno, "excluded by search NOT process_name IN (...)")
            continue
        key = tuple(text(e.get(f)) for f in BY)
        if None in key:
            missing = [f for f, k in zip(BY, key) if k is None]
            trace and trace(lineno, f"dropped by stats: BY field null/missing {missing}")
            continue
        g = groups.setdefault(key, {"lines": [], "count": 0, "dests": set(), "sum": None,
                                    "first": None, "last": None, "users": set(),
                                    "port_is_num": False})
        g["lines"].append(lineno)
        g["count"] += 1
        g["dests"].add(text(e["dest_ip"]))
        g["port_is_num"] |= isinstance(e["dest_port"], (int, float))
        b = number(text(e.get("bytes_out")))
        if b is not None:
            g["sum"] = (g["sum"] or 0) + b
        t = epoch_ms(e["_time"])
        g["first"] = t if g["first"] is None else min(g["first"], t)
        g["last"] = t if g["last"] is None else max(g["last"], t)
        u = text(e.get("src_user"))
        if u is not None:
            g["users"].add(u)
        trace and trace(lineno, f"counted in group {key}")

    def key_cmp(ka, kb):
        for a, b in zip(ka, kb):
            c = spl_cmp(a, b)
            if c:
                return c
        return 0

    rows = []
    for key in sorted(groups, key=functools.cmp_to_key(key_cmp)):
        g = groups[key]
        if not g["count"] > 2:
            trace and trace(None, f"group {key} (lines {g['lines']}) dropped by where: count={g['count']}")
            continue
        src_ip, dest_ip, port, proto, proc = key
        mailish = MAILISH.search(proc) is not None
        if proto == "IMAP" and not mailish:
            sev = "critical"
        elif proto == "POP3" and not mailish:
            sev = "critical"
        elif proto == "SMTP" and g["count"] > 10:
            sev = "high"
        else:
            sev = "medium"
        users = sorted(g["users"], key=lambda s: s.encode())
        row = {
            "FirstSeen": ms_to_json(g["first"]),
            "LastSeen": ms_to_json(g["last"]),
            "src_ip": src_ip, "dest_ip": dest_ip, "Protocol": proto,
            "dest_port": int(port) if g["port_is_num"] else port,
            "process_name": proc,
            "Users": users if len(users) > 1 else (users[0] if users else None),
            "ConnectionCount": g["count"],
            "BytesSent": None if g["sum"] is None else (int(g["sum"]) if g["sum"].is_integer() else g["sum"]),
            "Severity": sev,
        }
        rows.append({c: row[c] for c in COLUMNS if row[c] is not None})
        trace and trace(None, f"group {key} lines {g['lines']} -> {sev}, count {g['count']}")

    def sort_cmp(ra, rb):  # sort - Severity, - ConnectionCount (stable)
        c = spl_cmp(rb["Severity"], ra["Severity"])
        if c:
            return c
        return spl_cmp(str(rb["ConnectionCount"]), str(ra["ConnectionCount"]))

    return sorted(rows, key=functools.cmp_to_key(sort_cmp))


def main():
    events = [(i, json.loads(l)) for i, l in
              enumerate((HERE / "events.ndjson").read_text().splitlines(), 1) if l.strip()]
    trace = (lambda n, msg: print(f"line {n}: {msg}" if n else msg)) if "--trace" in sys.argv else None
    rows = run(events, trace)
    if "--print" in sys.argv:
        for r in rows:
            print(json.dumps(r))
    expected = [json.loads(l) for l in (HERE / "expected.ndjson").read_text().splitlines() if l.strip()]
    ok = rows == expected and all(list(a) == list(b) for a, b in zip(rows, expected))
    if not ok:
        print("MISMATCH between oracle and expected.ndjson")
        for i in range(max(len(rows), len(expected))):
            a = rows[i] if i < len(rows) else None
            b = expected[i] if i < len(expected) else None
            if a != b or (a and b and list(a) != list(b)):
                print(f"row {i + 1}:\n  oracle:   {json.dumps(a)}\n  expected: {json.dumps(b)}")
        sys.exit(1)
    print(f"OK: {len(events)} events -> {len(rows)} rows, identical to expected.ndjson (values, order, key order)")


if __name__ == "__main__":
    main()
