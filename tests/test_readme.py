"""README examples are run, so they never rot.

Fenced blocks, in README order, in a scratch copy of the project (so commands that write files
leave the repository alone):
(committed in a git repository of its own, as `histpack release` needs):
- ```sh: every line starting with `histpack ` runs (through `python -m histpack.cli.app`, with shell
  redirections as written) and must exit 0; so do lines for the `duckdb` CLI (the newest in
  HISTPACK_DUCKDB_CLI, or on PATH) and `sqlite3`, where those tools are installed (required when
  HISTPACK_REQUIRE_TOOLS is set); other lines (installation, servers) are skipped;
- ```python: runs as a script and must exit 0;
- ```sql: every statement runs on `histpack.connect()`;
- a ```text block right after a sh or python block is its expected output (a line `...` stands
  for any number of lines).
"""

from __future__ import annotations

from pathlib import Path
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass

import pytest
from conftest import REPO

README = REPO / "README.md"
COPIED = ("histpack", "sources", "annotations", "data", "schemas", "datapackage.json", "README.md",
          "CODEBOOK.md", "CITATION.cff", "LICENSE", "pyproject.toml", "histpack.yaml", "load.sql")
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=fence)\s*$",
                   re.MULTILINE | re.DOTALL)


@dataclass
class Block:
    lang: str
    body: str
    line: int
    start: int
    end: int


def blocks(text: str) -> list[Block]:
    return [Block(m["lang"].lower(), m["body"], text.count("\n", 0, m.start()) + 1, m.start(), m.end())
            for m in FENCE.finditer(text)]


def command_lines(body: str) -> list[str]:
    joined = re.sub(r"\s*\\\n\s*", " ", body)
    return [line.strip().removeprefix("$ ") for line in joined.splitlines()]


def histpack_lines(body: str) -> list[str]:
    return [line for line in command_lines(body) if line.startswith("histpack ")]


def tools() -> dict[str, str | None]:
    """Third-party command-line tools the README shows, where this machine has them."""
    clis = [p for p in os.environ.get("HISTPACK_DUCKDB_CLI", "").split(os.pathsep) if p]
    return {"duckdb": clis[-1] if clis else shutil.which("duckdb"), "sqlite3": shutil.which("sqlite3")}


def matches(expected: str, actual: str) -> bool:
    want = [line.rstrip() for line in expected.strip("\n").splitlines()]
    got = [line.rstrip() for line in actual.strip("\n").splitlines()]

    def walk(i: int, j: int) -> bool:
        if i == len(want):
            return j == len(got)
        if want[i] in ("...", "…"):
            return any(walk(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and want[i] == got[j] and walk(i + 1, j + 1)

    return walk(0, 0)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("readme") / "project"
    target.mkdir()
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, target / name)
    # committed, as `histpack release` requires (a release is made from a commit)
    identity = {**os.environ, "GIT_AUTHOR_NAME": "readme", "GIT_AUTHOR_EMAIL": "readme@example.org",
                "GIT_COMMITTER_NAME": "readme", "GIT_COMMITTER_EMAIL": "readme@example.org"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the project"]):
        subprocess.run(["git", "-C", str(target), *command], check=True, capture_output=True, env=identity)
    return target


def run(command: list[str] | str, cwd: Path, shell: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, shell=shell, executable="/bin/bash" if shell else None,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


def test_readme_has_runnable_examples():
    found = blocks(README.read_text(encoding="utf-8"))
    assert any(b.lang == "sh" and any(l.startswith("histpack cite") for l in histpack_lines(b.body)) for b in found)
    assert any(b.lang == "python" for b in found)
    assert any(b.lang == "text" for b in found)


def test_fence_parsing_and_output_matching():
    text = "x\n```sh\nhistpack a \\\n  --b\npip install x\n```\n```text\nout\n```\n"
    found = blocks(text)
    assert [(b.lang, b.line) for b in found] == [("sh", 2), ("text", 7)]
    assert not text[found[0].end:found[1].start].strip()
    assert histpack_lines(found[0].body) == ["histpack a --b"]
    assert matches("a\n...\nd\n", "a\nb\nc\nd\n")
    assert not matches("a\nd\n", "a\nb\nd\n")


@pytest.mark.slow  # about 20 s (every example, in subprocesses): `.ci/run` runs it with the slow cases
def test_readme_examples_run(project: Path):
    text = (project / "README.md").read_text(encoding="utf-8")
    found = blocks(text)
    python = shlex.quote(sys.executable)
    available = tools()
    failures = []
    for index, block in enumerate(found):
        where = f"README.md:{block.line} ({block.lang})"
        output = None
        if block.lang in ("sh", "bash", "shell", "console"):
            outputs, skipped = [], False
            for line in command_lines(block.body):
                word = line.split(" ", 1)[0]
                if line.startswith("histpack "):
                    command = f"{python} -m histpack.cli.app {line.removeprefix('histpack ')}"
                elif word in available:
                    if available[word] is None:
                        skipped = True
                        if os.environ.get("HISTPACK_REQUIRE_TOOLS"):
                            failures.append(f"{where}: `{word}` is not installed (HISTPACK_REQUIRE_TOOLS is set)")
                        continue
                    command = shlex.quote(available[word]) + line[len(word):]
                else:
                    continue
                result = run(command, project, shell=True)
                if result.returncode != 0 or (word in available and result.stderr.strip()):
                    failures.append(f"{where}: `{line}` exited {result.returncode}: {result.stderr.strip()}")
                outputs.append(result.stdout)
            output = "".join(outputs) if outputs and not skipped else None
        elif block.lang == "python":
            result = run([sys.executable, "-c", block.body], project)
            if result.returncode != 0:
                failures.append(f"{where}: {result.stderr.strip().splitlines()[-1:]}")
            output = result.stdout
        elif block.lang == "sql":
            script = ("import histpack, sys\ncon = histpack.connect()\n"
                      "for statement in con.extract_statements(sys.stdin.read()):\n"
                      "    con.execute(statement).fetchall()\n")
            result = subprocess.run([sys.executable, "-c", script], cwd=project, input=block.body,
                                    capture_output=True, text=True, encoding="utf-8", timeout=600)
            if result.returncode != 0:
                failures.append(f"{where}: {result.stderr.strip().splitlines()[-1:]}")
        following = found[index + 1] if index + 1 < len(found) else None
        adjacent = following is not None and not text[block.end:following.start].strip()
        if output is not None and adjacent and following.lang == "text":
            if not matches(following.body, output):
                failures.append(f"{where}: output differs from README.md:{following.line}:\n{output}")
    assert not failures, "\n".join(failures)
