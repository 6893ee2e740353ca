"""Build ``pose_landmarker_full.task`` reproducibly from the BlazePose files in mediapipe 0.10.21.

The official ``.task`` bundles are downloads from Google's storage; the last mediapipe wheel with
the legacy solutions (0.10.21, Apache-2.0) ships the same BlazePose GHUM "full" TFLite models
inside the wheel. A ``.task`` is a zip of ``pose_detector.tflite`` and
``pose_landmarks_detector.tflite``, each carrying TFLite metadata with the input normalisation.

Run it in a throw-away virtualenv (0.10.21 needs numpy<2, formcheck needs numpy 2)::

    python3.11 -m venv /tmp/mp0821
    /tmp/mp0821/bin/pip install "mediapipe==0.10.21" "numpy<2"
    /tmp/mp0821/bin/python models/build_pose_model.py models/pose_landmarker_full.task

The output is byte-for-byte reproducible: zip entries carry a fixed timestamp and order.
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import mediapipe
from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

#: Sizes of the source files in mediapipe 0.10.21, checked before building.
SOURCES = {
    "pose_detector.tflite": ("modules/pose_detection/pose_detection.tflite", 2_959_046),
    "pose_landmarks_detector.tflite": (
        "modules/pose_landmark/pose_landmark_full.tflite",
        6_440_512,
    ),
}

#: (name, description, input mean, input std, output names) per bundled model.
METADATA = {
    "pose_detector.tflite": (
        "BlazePose detector",
        "Detects a person's body (BlazePose GHUM, full) - from mediapipe 0.10.21, Apache-2.0.",
        127.5,
        127.5,
        ["regressors", "classificators"],
    ),
    "pose_landmarks_detector.tflite": (
        "BlazePose GHUM full landmarks",
        "33 body landmarks, world landmarks and a segmentation mask "
        "(BlazePose GHUM, full) - from mediapipe 0.10.21, Apache-2.0.",
        0.0,
        255.0,
        ["Identity", "Identity_1", "Identity_2", "Identity_3", "Identity_4"],
    ),
}

FIXED_DATE = (2024, 1, 1, 0, 0, 0)


def with_metadata(model: bytes, entry: str) -> bytes:
    """Return ``model`` with TFLite metadata describing its input normalisation and outputs."""
    name, description, mean, std, outputs = METADATA[entry]
    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, description)
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for output in outputs:
        writer.add_feature_output(name=output)
    populated, _ = writer.populate()
    return bytes(populated)


def build(out: Path) -> str:
    """Write the bundle to ``out`` and return its SHA-256."""
    root = Path(mediapipe.__file__).parent
    if mediapipe.__version__ != "0.10.21":
        sys.exit(f"needs mediapipe 0.10.21, found {mediapipe.__version__}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as bundle:
        for entry, (relpath, size) in SOURCES.items():
            raw = (root / relpath).read_bytes()
            if len(raw) != size:
                sys.exit(f"{relpath}: expected {size} bytes, found {len(raw)}")
            info = zipfile.ZipInfo(entry, date_time=FIXED_DATE)
            info.external_attr = 0o644 << 16
            bundle.writestr(info, with_metadata(raw, entry))
    return hashlib.sha256(out.read_bytes()).hexdigest()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "models/pose_landmarker_full.task")
    print(f"{build(target)}  {target}")
