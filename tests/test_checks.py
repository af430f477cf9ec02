"Property tests of the data checks against their definitions."
import numpy as np
from gfrnn_nb.checks import isolated_values


def _by_full_sort(trajs, k_max=5):
    "The definition, read off a whole stable sort of every coordinate."
    arrs = [np.asarray(t, dtype=float).reshape(len(t), -1) for t in trajs]
    cat = np.concatenate(arrs)
    where = np.concatenate([np.c_[np.full(len(a), i), np.arange(len(a))] for i, a in enumerate(arrs)])
    out, n = [], len(cat)
    K = min(k_max, n // 20)
    for j in range(cat.shape[1]):
        o = np.argsort(cat[:, j], kind='stable')
        v = cat[o, j]
        hi = next((k for k in range(1, K + 1) if v[-k] - v[-k - 1] > v[-k - 1] - v[0] > 0), 0)
        lo = next((k for k in range(1, K + 1) if v[k] - v[k - 1] > v[n - 1 - hi] - v[k] > 0), 0)
        rest = (float(v[lo]), float(v[n - 1 - hi]))
        out += [(int(where[i, 0]), int(where[i, 1]), j, float(cat[i, j]), rest) for i in [*o[:lo], *o[n - hi:]]]
    return out


def test_isolated_values_agree_with_a_whole_sort():
    "Random trajectories, with ties (rounded values), constant ones, and up to three glitches each: the same values, in the same order."
    rng, found = np.random.default_rng(0), 0
    for _ in range(1500):
        n, d, k = int(rng.integers(1, 400)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
        trajs = [rng.standard_normal((max(1, n // k + int(rng.integers(0, 5))), d)) for _ in range(k)]
        if rng.random() < 0.3: trajs = [np.round(t, 1) for t in trajs]
        for _ in range(int(rng.integers(0, 4))):
            t = trajs[int(rng.integers(len(trajs)))]
            t[int(rng.integers(len(t))), int(rng.integers(d))] = rng.choice([-1, 1]) * rng.uniform(5, 100)
        if rng.random() < 0.1: trajs = [np.zeros_like(t) for t in trajs]
        got = isolated_values(trajs)
        assert got == _by_full_sort(trajs), (n, d, k)
        found += bool(got)
    assert found > 300   # the glitches were found, not only their absence agreed on
