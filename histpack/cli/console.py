"""The `histpack` console entry point: interrupts are caught before anything heavy is imported,
so Ctrl-C at any moment (even during the first second of imports) is one line and exit 130."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from histpack.project.interrupts import install

        install()
        from histpack.cli.app import main as run

        run()
    except BaseException as exc:  # Interrupted or KeyboardInterrupt; anything else is re-raised
        if not (isinstance(exc, KeyboardInterrupt) or type(exc).__name__ == "Interrupted"):
            raise
        code, line = getattr(exc, "exit_code", 130), getattr(exc, "line", "error: interrupted")
        try:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - a closed stderr must not turn into a traceback
            pass
        sys.exit(code)


if __name__ == "__main__":
    main()
