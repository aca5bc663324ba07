"""A content key of pattern blocks (their variables, means, covariances, sizes and groups): the
memo key of the saturated moments and information shared by the fits of one data set. Imports
nothing of the package, so the modules that memoize can use it without an import cycle."""

from __future__ import annotations

import numpy as np


def blocks_key(blocks: list, p: int, tol: float) -> tuple:
    """Hash of the blocks' content with ``p`` and ``tol`` (the EM's settings).

    >>> blocks_key([], 2, 1e-10)[1:]
    (2, 1e-10, 0)
    """
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    for b in blocks:
        for a in (b.obs, b.mean, b.S):
            h.update(np.ascontiguousarray(a).tobytes())
        h.update(f"{b.n},{b.group}".encode())
    return (h.hexdigest(), p, tol, len(blocks))
