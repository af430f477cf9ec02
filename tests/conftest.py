import pytest

class RecordingBar:
    "A stand-in for tqdm that records what a fit shows: its descriptions, totals and ticks."
    def __init__(self, made, total=None, delay=0, disable=False, desc='', leave=True):
        self.disable, self.descs, self.ticks, self.totals, self.n = disable, [desc], 0, [], 0
        self.total = total
        made.append(self)
    total = property(lambda self: self.totals[-1], lambda self, v: self.totals.append(v))
    def __enter__(self): return self
    def __exit__(self, *exc): return False
    def update(self, n=1): self.ticks += n; self.n += n
    def set_description(self, desc, refresh=True): self.descs.append(desc)
    def close(self): pass

@pytest.fixture
def bars(monkeypatch):
    "The progress bars (`RecordingBar`) that what runs in the test makes through tqdm.auto, in order."
    import tqdm.auto
    made = []
    monkeypatch.setattr(tqdm.auto, 'tqdm', lambda *a, **k: RecordingBar(made, *a, **k))
    return made
