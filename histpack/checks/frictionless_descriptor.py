"""Frictionless's check of a descriptor alone (its profile and metadata checks), offline.

Called in-process, or run by path (`python -P this_file job.json`) as a second process beside the
engine: run so, it imports frictionless and nothing of ours, which is most of its cost.
"""

import json
import os
import sys


def descriptor_errors(descriptor: dict, basepath: str) -> list[str]:
    """Frictionless's messages about the descriptor; empty when it is valid."""
    from frictionless import Package, system

    with system.use_context(trusted=False):
        report = Package.validate_descriptor(descriptor, basepath=basepath)
    return [error.message for error in report.errors]


def frictionless_version() -> str:
    """The installed frictionless's version, read without importing it (an import costs 0.2 s)."""
    import importlib.util
    import os
    import re

    spec = importlib.util.find_spec("frictionless")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            with open(os.path.join(folder, "settings.py"), encoding="utf-8") as handle:
                found = re.search(r'^VERSION = "([^"]+)"', handle.read(), re.M)
        except OSError:
            continue
        if found:
            return found.group(1)
    from importlib.metadata import version

    return version("frictionless")


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when its parent dies (even by SIGKILL), so a check is never
    left running, or blocked, without the command that started it."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


if __name__ == "__main__":
    if len(sys.argv) > 2:
        _die_with_parent(int(sys.argv[2]))
    with open(sys.argv[1], encoding="utf-8") as handle:
        job = json.load(handle)
    print(json.dumps(descriptor_errors(job["descriptor"], job["basepath"])))
