"""The session history: the SQLite database and its rows, import and export, and the
progression of targets from session to session.

May import the core and :mod:`formcheck.media` (atomic files); never run, live, report or cli.
"""
