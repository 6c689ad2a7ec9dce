#!/usr/bin/env python3
"""Prints the conformance table (vector x language) and exits 1 on any failure or gap."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["rust", "python", "node", "kotlin"]


def main() -> int:
    cases = []
    for path in sorted((ROOT / "conformance").glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            cases.append(f"{path.stem}/{case['name']}")
    results = {}
    for language in LANGUAGES:
        # <language>.json from the response runner, <language>-options.json from the options one.
        results[language] = {}
        for path in sorted((ROOT / "target" / "conformance").glob(f"{language}*.json")):
            results[language].update(json.loads(path.read_text(encoding="utf-8"))["results"])

    width = max(len(c) for c in cases)
    print(f"{'vector':<{width}}  " + "  ".join(f"{l:<6}" for l in LANGUAGES))
    misses = []
    for case in cases:
        cells = []
        for language in LANGUAGES:
            outcome = results[language].get(case)
            if outcome == "pass":
                cells.append("pass  ")
            else:
                cells.append("FAIL  " if outcome else "-     ")
                misses.append(f"{language}: {case}: {outcome or 'not run'}")
        print(f"{case:<{width}}  " + "  ".join(cells))
    passed = len(cases) * len(LANGUAGES) - len(misses)
    print(f"\nconformance: {passed} passed, {len(misses)} failed ({len(cases)} vectors x {len(LANGUAGES)} languages)")
    for miss in misses:
        print("  " + miss)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
