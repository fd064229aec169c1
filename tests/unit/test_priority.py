"""The lane's CPU priority: renderers beside Lighthouse are lowered to nice 10, nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluator.gather import priority

pytestmark = pytest.mark.skipif(priority.available() is not None,
                                reason=f"priority is off here: {priority.available()}")

# A stand-in browser: it starts a "renderer" (argv says --type=renderer, as Chromium's do) and a
# "utility" process, prints their pids and sleeps. Its own tree, so the suite's other browsers
# cannot change the counts.
BROWSER = """
import subprocess, sys, time
sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
kids = [subprocess.Popen(sleep + ["--type=renderer"]), subprocess.Popen(sleep + ["--type=utility"])]
print(" ".join(str(k.pid) for k in kids), flush=True)
time.sleep(60)
"""


@pytest.fixture
def browser() -> Iterator[tuple[int, int, int]]:
    proc = subprocess.Popen([sys.executable, "-c", BROWSER], stdout=subprocess.PIPE,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        renderer, utility = (int(p) for p in proc.stdout.readline().split())
        while not all(Path(f"/proc/{p}/cmdline").read_bytes().count(b"--type=") for p in
                      (renderer, utility)):
            time.sleep(0.01)  # exec'd: argv is the child's own
        yield proc.pid, renderer, utility
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()


def test_renderers_are_lowered_once_and_nothing_else_is(browser: tuple[int, int, int]) -> None:
    root, renderer, utility = browser
    before = os.getpriority(os.PRIO_PROCESS, utility)
    assert priority.background_renderers(root) == 1
    assert os.getpriority(os.PRIO_PROCESS, renderer) == priority.BACKGROUND_NICE
    assert os.getpriority(os.PRIO_PROCESS, utility) == before
    assert os.getpriority(os.PRIO_PROCESS, root) == before
    assert priority.background_renderers(root) == 0  # already in the background


def test_a_tree_that_is_gone_is_no_error() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass", "--type=renderer"])
    gone.wait()
    assert priority.background_renderers(gone.pid) == 0
