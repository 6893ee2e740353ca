"""Media in and out: frame sources (files, images, cameras), the camera capture thread, and
output files written atomically.

May import only the top-level modules (errors, closing, config); knows nothing of poses.
"""
