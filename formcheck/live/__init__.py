"""The live coach: the session loop and its state, the window, the overlay, voice cues, live
statistics, Ctrl-C, the three-exercise routine, and the overlay drawn onto a recording.

May import the whole library (run's pipeline steps included); never cli.
"""
