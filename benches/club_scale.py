#!/usr/bin/env python3
"""A generated book club, to see `hpp compare` at scale (a benchmark, not a
test: nothing here asserts a time).

  benches/club_scale.py SOURCE_DIR OUT_DIR MEMBERS [--hostile]

SOURCE_DIR holds real results files (e.g. from `hpp chapter all --quick
--out SOURCE_DIR`, one per chapter, found recursively). For each member
m = 1..MEMBERS and each source file, OUT_DIR/memberM/chapterN.json is that
file with the member's name and every non-integer figure of its experiments
scaled by one factor per member and experiment, uniformly in ±30%
(seeded: the same club every time). --hostile adds files a real folder may
hold: not JSON, truncated, deeply nested, wrong types, huge, a duplicate.
"""
import json
import random
import sys
from pathlib import Path


def scale(v, f):
    if isinstance(v, float):
        return v * f
    if isinstance(v, list):
        return [scale(x, f) for x in v]
    if isinstance(v, dict):
        return {k: scale(x, f) for k, x in v.items()}
    return v


def main():
    src, out, members = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    sources = [json.loads(p.read_text()) for p in sorted(src.rglob("*.json"))]
    sources = [s for s in sources if isinstance(s, dict) and s.get("schema") == "hpp-chapter-results"]
    if not sources:
        raise SystemExit(f"no results files under {src}")
    rng = random.Random(42)
    for m in range(1, members + 1):
        d = out / f"member{m:03d}"
        d.mkdir(parents=True, exist_ok=True)
        for s in sources:
            r = json.loads(json.dumps(s))
            r["member"] = f"member{m:03d}"
            for name, e in r["experiments"].items():
                if e.get("data") is not None:
                    e["data"] = scale(e["data"], rng.uniform(0.7, 1.3))
            (d / f"chapter{r['chapter']}.json").write_text(json.dumps(r))
    if "--hostile" in sys.argv:
        h = out / "hostile"
        h.mkdir(parents=True, exist_ok=True)
        (h / "notes.json").write_text("these are my notes, not JSON")
        good = json.dumps(sources[0])
        (h / "truncated.json").write_text(good[: len(good) // 2])
        (h / "nested.json").write_text("[" * 100_000 + "]" * 100_000)
        (h / "wrong-types.json").write_text(json.dumps({**sources[0], "chapter": "one", "member": "x"}))
        (h / "other-schema.json").write_text(json.dumps({"schema": "something-else", "version": 1}))
        (h / "huge.json").write_bytes(b" " * (65 << 20))
        (h / "duplicate.json").write_text(json.dumps({**sources[0], "member": "member001"}))
    print(f"wrote {members} members x {len(sources)} chapters under {out}")


if __name__ == "__main__":
    main()
