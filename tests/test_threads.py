"The models' fits run with the BLAS threads they are given (`blas_threads`, default 1), and give them back afterwards."
import numpy as np, pytest
from threadpoolctl import threadpool_info, threadpool_limits
from gfrnn_nb.rnn import SampledRNN
from gfrnn_nb.delay import DelayRNN
from gfrnn_nb.local import LocalRNN
from gfrnn_nb.systems import trajectories, lorenz96, van_der_pol

def _blas() -> set:
    return {i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'}

def _spy(monkeypatch, cls, name, seen):
    "Record the BLAS threads inside `cls.name` (a method the fit calls)."
    orig = getattr(cls, name)
    def wrapped(*a, **k):
        seen.append(_blas())
        return orig(*a, **k)
    monkeypatch.setattr(cls, name, wrapped)

@pytest.fixture
def two_threads():
    with threadpool_limits(2, user_api='blas'): yield

@pytest.mark.parametrize('make, data, method', [
    (lambda **k: SampledRNN(width=30, solver='qr', memory=False, ring=False, progress=False, **k), lambda: trajectories(van_der_pol(), 1, 400, seed=0)[0], 'SampledRNN._fit_fixed'),
    (lambda **k: DelayRNN(delays=3, stride=2, width=20, ridge=0.0, progress=False, **k), lambda: np.sin(0.1 * np.arange(600)), 'DelayRNN._fit_embedding'),
    (lambda **k: LocalRNN(radius=1, width=20, ridge=0.0, progress=False, **k), lambda: trajectories(lorenz96(8), 1, 300, seed=0)[0], 'LocalRNN._fit')])
def test_a_fit_runs_with_its_blas_threads_and_restores_them(monkeypatch, two_threads, make, data, method):
    import gfrnn_nb.rnn, gfrnn_nb.delay, gfrnn_nb.local
    if _blas() != {2}: pytest.skip('BLAS thread count cannot be set here')
    owner = {'SampledRNN._fit_fixed': (gfrnn_nb.rnn, '_fit_fixed'), 'DelayRNN._fit_embedding': (gfrnn_nb.delay.DelayRNN, '_fit_embedding'),
             'LocalRNN._fit': (gfrnn_nb.local.LocalRNN, '_fit')}[method]
    seen = []
    _spy(monkeypatch, *owner, seen)
    X = data()
    make().fit(X)                     # the default: one thread inside the fit
    assert seen and all(s == {1} for s in seen), seen
    assert _blas() == {2}             # ...and the caller's setting after it
    seen.clear()
    make(blas_threads=None).fit(X)    # None: the caller's setting is left alone
    assert seen and all(s == {2} for s in seen), seen

@pytest.mark.parametrize('cls', [SampledRNN, DelayRNN, LocalRNN])
@pytest.mark.parametrize('value', [0, 1.5, 'all'])
def test_bad_blas_threads_are_refused_before_the_fit(cls, value):
    m = cls(blas_threads=value)
    X = trajectories(lorenz96(8), 1, 300, seed=0)[0]
    with pytest.raises((ValueError, TypeError), match='blas_threads'): m.fit(X)
    assert not any(k.endswith('_') and not k.startswith('_') for k in vars(m)), 'nothing fitted'
    assert cls().blas_threads == 1 and cls(blas_threads=None).get_params()['blas_threads'] is None
