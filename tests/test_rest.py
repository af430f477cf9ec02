"Equilibria of a map on delay vectors (`_fixed_points`, which `equilibria` and the model with memory use)."
import numpy as np
from gfrnn_nb.selection import _fixed_points

def test_fixed_points_of_a_linear_delay_map():
    A0, A1 = np.array([[0.5, 0.1], [0.0, 0.3]]), np.array([[0.2, 0.0], [0.1, 0.2]])
    b = np.array([1.0, -1.0])
    step = lambda P: P[:, :2] @ A0.T + P[:, 2:] @ A1.T + b                # x_{t+1} = A0 x_t + A1 x_{t-3} + b
    x_star = np.linalg.solve(np.eye(2) - A0 - A1, b)
    C = np.zeros((8, 8)); C[:2, :2], C[:2, 6:] = A0, A1; C[2:, :-2] = np.eye(6)
    (eq,) = _fixed_points(step, np.random.default_rng(0).normal(size=(5, 2)) * 10, delays=2, stride=3, window=3)
    assert np.allclose(eq['state'], x_star, atol=1e-8) and abs(eq['radius'] - np.abs(np.linalg.eigvals(C)).max()) < 1e-5, eq
    assert _fixed_points(step, np.zeros((2, 2)), 2, 3, 3, within=(x_star + 1, x_star + 2)) == []

import warnings, pytest
import gfrnn_nb.selection as sel
from gfrnn_nb.systems import lorenz63, trajectories, Standardizer

def _map_runs(f):
    "A stand-in for `free_runs` that iterates the map f on the starts."
    def runs(nested, width, As, z0, n, *a):
        z, out = np.asarray(z0, dtype=float), []
        for _ in range(n): z = f(z); out.append(z)
        return np.stack(out, 1)[None], None
    return runs

def test_rest_probe_finds_an_equilibrium_where_runs_come_to_rest(monkeypatch):
    t = np.arange(6_000) * 0.05
    orbit = [np.stack([np.cos(t), np.sin(t)], 1)]
    probe = sel._rest_probe(orbit, orbit, np)
    damped = [orbit[0] * np.exp(-0.03 * t)[:, None]]
    assert probe is not None and sel._rest_probe(damped, damped, np) is None   # data that come to rest are not probed
    monkeypatch.setattr(sel, 'free_runs', _map_runs(lambda z: 0.9 * z + 0.05))   # runs settle at (0.5, 0.5), inside the range
    assert np.allclose(probe(None, 10, np.zeros((3, 2))), [0.5, 0.5])
    monkeypatch.setattr(sel, 'free_runs', _map_runs(lambda z: 1.1 * z - 0.05))   # unstable there: runs leave it
    assert probe(None, 10, np.zeros((3, 2))) is None
    monkeypatch.setattr(sel, 'free_runs', _map_runs(lambda z: 0.9 * z + 0.5))    # stable at (5, 5), outside the range
    assert probe(None, 10, np.zeros((3, 2))) is None

def _noisy_lorenz(T=6_000, seed=0):
    y = trajectories(lorenz63(), 1, T, seed=seed)[0]
    return y + np.random.default_rng(seed).normal(size=y.shape) * 0.05 * y.std(0)

def _draw(Zs, Us, width):
    from gfrnn_nb.sampling import sample_layer
    Xt, Xn = np.concatenate([z[:-1] for z in Zs]), np.concatenate([z[1:] for z in Zs])
    return sample_layer(Xt, width, 'swim', fX=Xn, seed=0)

def _select(Z):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always')
        out = sel.select(Z, [None], _draw, max_width=200, progress=False)
    return out, [str(w.message) for w in seen]

def test_a_final_model_whose_runs_come_to_rest_gives_way_to_the_next_candidate(monkeypatch):
    Z = Standardizer().fit([_noisy_lorenz()]).transform([_noisy_lorenz()])
    monkeypatch.setattr(sel, '_rest_probe', lambda *a: (lambda nested, width, A: None))
    (_, A_plain, _, plain), _ = _select(Z)
    asked = []
    monkeypatch.setattr(sel, '_rest_probe', lambda *a: (lambda nested, width, A: asked.append(width) or ([0.0, 0.0, 0.0] if len(asked) == 1 else None)))
    (_, A_next, _, rec), msgs = _select(Z)
    at_rest = [c for c in rec['candidates'] if c.get('rest')]
    assert len(asked) == 2 and len(at_rest) == 1 and not any('equilibrium' in m for m in msgs)
    c = at_rest[0]
    assert (c['sigma'], c['width'], c['reg']) == tuple(plain['chosen'][k] for k in ('sigma', 'width', 'reg'))   # the first choice rests
    assert rec['chosen'] != plain['chosen'] and rec['chosen']['sigma'] == plain['chosen']['sigma']           # the next of its smoothing
    monkeypatch.setattr(sel, '_rest_probe', lambda *a: (lambda nested, width, A: [0.0, 0.0, 0.0]))         # every one rests
    (_, A_all, _, rec_all), msgs = _select(Z)
    assert rec_all['chosen'] == plain['chosen'] and np.allclose(A_all, A_plain) and any('stable equilibrium' in m for m in msgs)

def test_clean_data_are_not_probed(monkeypatch):
    y = trajectories(lorenz63(), 1, 4_000, seed=0)
    Z = Standardizer().fit(y).transform(y)
    def rest_probe(*a): raise AssertionError('probed clean data')
    monkeypatch.setattr(sel, '_rest_probe', rest_probe)
    rec = sel.select(list(Z), [None], _draw, max_width=200, progress=False)[3]
    assert not any('rest' in c for c in rec['candidates'])
