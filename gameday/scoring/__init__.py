"""The parts of scoring (pure, no I/O): `gameday.score.score_journal` puts them together.

segment   the journal cut into one segment per scenario attempt
recovery  when the service was healthy again, and the phases that add up to it
findings  landing, detection and the reasons a scenario did not pass
expect    bounds on a breach the scenario expects (`expect.breach`)
formula   components, weights, caps and grades, with the arithmetic kept for the report
"""
