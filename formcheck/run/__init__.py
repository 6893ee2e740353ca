"""Running the road over recordings: the frame-by-frame pipeline, analysing one recording with
every output asked for (:func:`~formcheck.run.recording.analyze_recording`), and batches.

May import the whole library (live's annotated video included); never cli.
"""
