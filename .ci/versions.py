"""Print the Python and the versions of the dependencies that matter most, for the CI log."""

import importlib.metadata as metadata
import platform

NAMES = ("mediapipe", "opencv-contrib-python", "numpy", "av", "typer", "rich", "pytest")
print(f"python {platform.python_version()}", end="")
for name in NAMES:
    try:
        print(f", {name} {metadata.version(name)}", end="")
    except metadata.PackageNotFoundError:
        print(f", {name} (not installed)", end="")
print()
