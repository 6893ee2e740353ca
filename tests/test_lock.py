"""The lock (constraints.txt) and pyproject.toml agree, and the README installs from the lock.

A dependency added to pyproject.toml without refreshing the lock (``bash .ci/lock``) would be
installed unpinned on a fresh machine; a pin outside the declared range would make pip fail.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]


def pins(text: str) -> dict[str, str]:
    """``name==version`` lines of a constraints file, by canonical name."""
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            found[canonicalize_name(name)] = version.strip()
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        reqs += [Requirement(r) for r in extra]
    return reqs


def test_every_dependency_is_pinned_within_its_declared_range() -> None:
    locked = pins((REPO / "constraints.txt").read_text())
    for req in declared():
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is not in constraints.txt: run `bash .ci/lock`"
        assert req.specifier.contains(locked[name], prereleases=True), (
            f"constraints.txt pins {name}=={locked[name]}, outside pyproject's {req}"
        )


def test_the_pin_reader_sees_what_is_missing_or_out_of_range() -> None:
    locked = pins("numpy==2.4.6\n    # via mediapipe\nav==18.1.0  # comment\n")
    assert locked == {"numpy": "2.4.6", "av": "18.1.0"}
    assert not Requirement("numpy<2").specifier.contains(locked["numpy"])
    assert "mediapipe" not in locked


def test_readme_commands_and_ci_install_from_the_lock() -> None:
    readme = (REPO / "README.md").read_text()
    installs = re.findall(r"\.venv/bin/pip install [^&\n]+", readme)
    assert len(installs) >= 2, installs
    for command in installs:
        assert "-c constraints.txt" in command, command
    run = (REPO / ".ci" / "run").read_text()
    test_command = [ln for ln in run.splitlines() if ln.endswith(".venv/bin/pytest")]
    assert len(test_command) == 1 and test_command[0] in readme
