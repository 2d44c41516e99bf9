#!/usr/bin/env python3
"""Fills fuzz/corpus/<target>/ from the shared corpora (generated, not committed) plus fuzz/seeds/.

Usage: python3 fuzz/seed_corpus.py [CORPUS_ROOT] [--per-target N]
CORPUS_ROOT defaults to ../shared/corpus beside the project (as the tests read it).
"""
import json, os, random, shutil, sys

here = os.path.dirname(os.path.abspath(__file__))
args = [a for a in sys.argv[1:] if not a.startswith("--")]
root = args[0] if args else os.path.join(here, "..", "..", "shared", "corpus")
per = 300
if "--per-target" in sys.argv:
    per = int(sys.argv[sys.argv.index("--per-target") + 1])
rng = random.Random(8)


def out(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# SPL: searches, some with the security_content macro definitions as a macros.conf prefix.
searches = [json.loads(l) for l in open(os.path.join(root, "security_content", "searches.jsonl"))]
macros = [json.loads(l) for l in open(os.path.join(root, "security_content", "macros.jsonl"))]
conf = "".join(
    f"[{m['name']}{'(%d)' % len(m.get('args') or []) if m.get('args') else ''}]\n"
    + (f"args = {', '.join(m['args'])}\n" if m.get("args") else "")
    + "definition = " + m["definition"].replace("\n", " ") + "\n\n"
    for m in macros[:40]
)
for i, s in enumerate(rng.sample(searches, min(per, len(searches)))):
    out("spl", f"sc{i:04}.spl", s if i % 5 else conf + "\0" + s)

# Sigma: rules from every rules* folder.
rules = []
for top in ("rules", "rules-dfir", "rules-compliance"):
    for dirpath, _, files in os.walk(os.path.join(root, "sigmahq", top)):
        rules += [os.path.join(dirpath, f) for f in files if f.endswith((".yml", ".yaml"))]
rules.sort()
for i, path in enumerate(rng.sample(rules, min(per, len(rules)))):
    out("sigma", f"r{i:04}.yml", open(path, "rb").read())

# Events: small chunks of each event file (lines, and the whole of small files).
event_dir = os.path.join(root, "events")
n = 0
for name in sorted(os.listdir(event_dir)):
    if not name.endswith((".json", ".ndjson")):
        continue
    data = open(os.path.join(event_dir, name), "rb").read()
    lines = data.splitlines(keepends=True)
    for k in range(max(1, per // 20)):
        start = rng.randrange(len(lines)) if lines else 0
        chunk = b"".join(lines[start:start + rng.choice([1, 2, 5])])
        for target in ("events", "eval"):
            out(target, f"e{n:04}.json", chunk)
        n += 1
    if len(data) < 8192:
        for target in ("events", "eval"):
            out(target, f"whole-{name}", data)

# Hand-made seeds kept in the repository.
seeds = os.path.join(here, "seeds")
for target in os.listdir(seeds) if os.path.isdir(seeds) else []:
    for name in os.listdir(os.path.join(seeds, target)):
        shutil.copy(os.path.join(seeds, target, name), os.path.join(here, "corpus", target, name))
print("corpus:", {t: len(os.listdir(os.path.join(here, "corpus", t))) for t in os.listdir(os.path.join(here, "corpus"))})
