"""The ok/FAIL lines and the verdict that the check scripts (check_dist, check_release) share.

Each check prints one line as it runs, so a log shows every check, not only the first
failure; the verdict at the end fails the run if any check failed.
"""

from __future__ import annotations

import sys


class Checks:
    def __init__(self, script: str) -> None:
        self.script = script
        self.failures: list[str] = []

    def __call__(self, condition: bool, what: str) -> None:
        print(("ok    " if condition else "FAIL  ") + what, flush=True)
        if not condition:
            self.failures.append(what)

    def verdict(self, success: str) -> int:
        """The exit status: 1 after any failure (counted on stderr), else 0 after `success`."""
        if self.failures:
            print(f"\n{self.script}: {len(self.failures)} check(s) failed", file=sys.stderr)
            return 1
        print(f"\n{self.script}: {success}")
        return 0
