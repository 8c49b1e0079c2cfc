"""Fallback stressor when stress-ng is not installed: `cpu N LOAD SECONDS` or
`memory BYTES 1 SECONDS`. Exits by itself after SECONDS."""

from __future__ import annotations

import multiprocessing
import sys
import time


def _burn(load: float, until: float) -> None:
    period = 0.1
    while time.monotonic() < until:
        start = time.monotonic()
        while time.monotonic() - start < period * load:
            pass
        time.sleep(period * (1 - load))


def main(argv: list[str]) -> None:
    mode, amount, load, seconds = argv[0], int(argv[1]), float(argv[2]), float(argv[3])
    until = time.monotonic() + seconds
    if mode == "cpu":
        workers = [multiprocessing.Process(target=_burn, args=(load, until)) for _ in range(amount)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    else:
        held = bytearray(amount)
        for i in range(0, amount, 4096):
            held[i] = 1
        time.sleep(max(0.0, until - time.monotonic()))


if __name__ == "__main__":
    main(sys.argv[1:])
