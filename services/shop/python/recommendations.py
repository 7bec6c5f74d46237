"""The shop's recommendation worker, embedded in the Swift service (CPython 3.11).

Two named pure-Python functions with a known CPU split: score_candidates does three times the
work of rank_features (the same loop body), so a correct profiler shows them at ~75% / ~25% of the
worker's samples. The arithmetic is deterministic so concurrent callers can check their answer.
"""

MODULUS = 1_000_003


def score_candidates(n):
    """~75% of the worker's CPU: 3 * n iterations."""
    acc = 0
    for i in range(3 * n):
        acc = (acc * 31 + i * 7) % MODULUS
    return acc


def rank_features(n):
    """~25% of the worker's CPU: n iterations of the same body."""
    acc = 0
    for i in range(n):
        acc = (acc * 31 + i * 7) % MODULUS
    return acc


def candidate_pool(n):
    """The request's candidate list (n ints): the worker's own heap use, so memory profiles show Python
    frames. A small fraction of the worker's CPU next to the two functions above."""
    return [i * 7 for i in range(n)]


def recommend(n):
    """Entry point called by the Swift service: one recommendation request of size n."""
    pool = candidate_pool(n)
    return (score_candidates(n) + rank_features(n) + len(pool) - n) % MODULUS
