#!/usr/bin/env python3
"""Fail when the test suite left a process running.

`make test` puts a token in the environment of everything it starts
(HPP_SUITE_TOKEN); every process started under it inherits the token. Run
last, this script lists the processes still holding it, other than itself
and the make/shell processes it runs under, and fails if there are any: a
kernel not shut down, a Python child not stopped, a stand-in's `sleep`.
"""
import os
import sys
import time


def ancestors():
    pid, seen = os.getpid(), set()
    while pid > 1 and pid not in seen:
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status") as f:
                pid = int(next(l for l in f if l.startswith("PPid:")).split()[1])
        except (OSError, StopIteration, ValueError):
            break
    return seen


def holders(token):
    mine = ancestors()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in mine:
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{name}/stat") as f:
                state = f.read().rsplit(") ", 1)[1][:1]
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError):
            continue
        if f"HPP_SUITE_TOKEN={token}".encode() in env and state not in "ZX":
            found.append(f"{name}: {cmd[:160]}")
    return found


def main():
    token = os.environ.get("HPP_SUITE_TOKEN")
    if not token:
        print("leftovers: HPP_SUITE_TOKEN is not set; nothing to check", file=sys.stderr)
        return 2
    if not os.path.isdir("/proc/self"):
        print("leftovers: no /proc here; not checked")
        return 0
    left = holders(token)
    for _ in range(50):  # processes being stopped get a moment to go
        if not left:
            break
        time.sleep(0.1)
        left = holders(token)
    if left:
        print("the test suite left processes running:\n  " + "\n  ".join(left), file=sys.stderr)
        return 1
    print("leftovers: no process left behind by the test suite")
    return 0


if __name__ == "__main__":
    sys.exit(main())
