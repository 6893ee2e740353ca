"""Measuring a pose: geometry (angles, distances), signal conditioning, the back's outline and
how much of a recording could be measured.

Core: imports only :mod:`formcheck.pose.landmarks` and the top-level config and errors.
"""
