"""Pose: the landmark values, the estimator protocol, the MediaPipe wrapper, model files, tracks.

``landmarks`` and ``estimator`` are core values (they import only the top-level modules);
``mediapipe_pose`` (the only module that imports mediapipe), ``models`` and ``track`` may use
:mod:`formcheck.media` too.
"""
