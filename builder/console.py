"""The `histpack` console entry point: interrupts are caught before anything heavy is imported,
so Ctrl-C at any moment (even during the first second of imports) is one line and exit 130."""

from __future__ import annotations

import sys


def main() -> None:
    from .interrupts import Interrupted, install

    install()
    try:
        from .cli import main as run

        run()
    except (Interrupted, KeyboardInterrupt) as exc:
        code = exc.exit_code if isinstance(exc, Interrupted) else 130
        line = exc.line if isinstance(exc, Interrupted) else "error: interrupted"
        try:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - a closed stderr must not turn into a traceback
            pass
        sys.exit(code)


if __name__ == "__main__":
    main()
