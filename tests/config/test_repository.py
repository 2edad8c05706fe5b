"""The repository itself: what a clean clone on a fresh machine needs to hold."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_symbolic_link_is_tracked():
    # A tracked link (a worktree's .venv once) points at a path that exists on one machine only and
    # breaks `uv sync` on a clean clone.
    listing = subprocess.run(
        ["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    links = [line.split("\t", 1)[1] for line in listing.splitlines() if line.startswith("120000 ")]
    assert links == []
