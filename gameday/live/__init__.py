"""The live view for the game-day room: `gameday run --serve HOST:PORT` serves a page
that shows the run as it happens (phases, probes, SLOs and budget burn, the log, notes)
to everyone with the observer token, and lets the facilitator token approve, answer
manual steps and add notes. Optional: `pip install 'gameday-drills[live]'` (aiohttp)."""
