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
