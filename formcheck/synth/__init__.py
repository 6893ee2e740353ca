"""Synthetic exercise videos with exact ground truth (the optional ``formcheck[synth]`` extra).

Importing this package is cheap and needs no extra: the truth schema (:mod:`.truth`), the
measures (:mod:`.measures`) and the animators (:mod:`.motion`) are numpy only. Posing and
rendering (:mod:`.body`, :mod:`.placement`, :mod:`.scene`, :mod:`.render`) import torch, anny
and pyrender when they are used.

Example:
    >>> from formcheck.synth import truth
    >>> truth.SCHEMA
    'formcheck.truth/1'
"""

from __future__ import annotations

__all__ = ["measures", "motion", "truth"]

from formcheck.synth import measures, motion, truth
