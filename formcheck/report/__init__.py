"""Reports of an analysis: the JSON report, the HTML page (plots, sections, advice, formatting),
the CSV tables, the per-set traces and the printed summary.

May import the core (pose values, measure, analysis) and :mod:`formcheck.media` for writing
files; never run, live, history or cli.
"""
