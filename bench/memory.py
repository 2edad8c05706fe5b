"""Peak memory of the process measuring itself."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak RSS. Not ``ru_maxrss``: on Linux a process started by a large parent inherits the
    parent's peak through fork and exec; ``VmHWM`` belongs to the process's own address space."""
    status = Path("/proc/self/status")
    if status.exists():
        line = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
