"""Where the pose model lives, and checking that it is the one we shipped.

The default model, ``pose_landmarker_full.task``, is built by ``models/build_pose_model.py``
(see ``models/README.md``). A wheel carries it inside the package (``formcheck/_models/``); an
editable install or a source checkout finds it in the repository's ``models/`` folder. Any other
``.task`` bundle (e.g. Google's official lite or heavy model) can be used with ``--model PATH``;
only the default is checked against its known SHA-256.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from formcheck.errors import ModelError

DEFAULT_MODEL_NAME = "pose_landmarker_full.task"
DEFAULT_MODEL_SHA256 = "70ec3edbdec6dc7b74ee5cb79c8eefd223ca0217f7e1e21394824cb8526b97d1"
TASK_ENTRIES = frozenset({"pose_detector.tflite", "pose_landmarks_detector.tflite"})

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # formcheck/ (this file is in formcheck/pose/)


def model_search_paths() -> list[Path]:
    """Places the default model is looked for, in order."""
    return [
        _PACKAGE_DIR / "_models" / DEFAULT_MODEL_NAME,  # installed from a wheel
        _PACKAGE_DIR.parent / "models" / DEFAULT_MODEL_NAME,  # checkout / editable install
    ]


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelInfo:
    """A pose model file that was found and checked.

    Attributes:
        path: Where it is.
        sha256: Its checksum.
        is_default: True for formcheck's shipped model (checksum verified).
    """

    path: Path
    sha256: str
    is_default: bool

    @property
    def name(self) -> str:
        return self.path.name

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "path": str(self.path),
            "name": self.name,
            "sha256": self.sha256,
            "default": self.is_default,
        }


@lru_cache(maxsize=8)
def _checked(path: Path, mtime_ns: int, size: int) -> str:
    return sha256_of(path)


def _check_bundle(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except zipfile.BadZipFile:
        raise ModelError(
            f"{path}: not a MediaPipe .task bundle (not a zip file); "
            "pass a pose_landmarker_*.task file"
        ) from None
    if not names >= TASK_ENTRIES:
        raise ModelError(
            f"{path}: not a pose landmarker bundle (it lacks {', '.join(sorted(TASK_ENTRIES))})"
        )


def resolve_model(path: str | Path | None = None) -> ModelInfo:
    """Find and check the pose model.

    Args:
        path: A ``.task`` file chosen by the user, or None for the shipped default.

    Raises:
        ModelError: The model is missing, is not a pose landmarker bundle, or (for the default)
            its checksum does not match, with a line saying how to fix it.
    """
    if path is not None:
        chosen = Path(path).expanduser()
        if not chosen.is_file():
            raise ModelError(f"{chosen}: model file not found")
        _check_bundle(chosen)
        stat = chosen.stat()
        digest = _checked(chosen.resolve(), stat.st_mtime_ns, stat.st_size)
        return ModelInfo(chosen, digest, digest == DEFAULT_MODEL_SHA256)
    for candidate in model_search_paths():
        if candidate.is_file():
            stat = candidate.stat()
            digest = _checked(candidate, stat.st_mtime_ns, stat.st_size)
            if digest != DEFAULT_MODEL_SHA256:
                raise ModelError(
                    f"{candidate}: the default pose model is corrupt (SHA-256 {digest[:12]}... "
                    f"expected {DEFAULT_MODEL_SHA256[:12]}...); restore it with "
                    "`git checkout models/` or rebuild it with models/build_pose_model.py"
                )
            return ModelInfo(candidate, digest, True)
    raise ModelError(
        f"the default pose model {DEFAULT_MODEL_NAME} is missing (looked in "
        f"{', '.join(str(p.parent) for p in model_search_paths())}); reinstall formcheck, "
        "rebuild it with models/build_pose_model.py, or pass --model PATH"
    )
