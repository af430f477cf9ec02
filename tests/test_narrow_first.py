"The selection's search starts narrow and climbs the width ladder one rung at a time while the widest rung so far wins."
import numpy as np, pytest
import gfrnn_nb.selection as sel

REGS = (('pivoted', 0.0), ('ridge', 1e-6))
HO = dict(vr=None, L=100, bounds=(None, None), allz=None, ref_series=None, floor=(np.nan, np.nan), noise=None)

class Bar:
    def update(self, n=1): pass

def scripted(monkeypatch, steps:dict, fail=()):
    "Replace the held-out runs by scripted valid steps per (smoothing, width); widths in `fail` leave the range."
    def screen(nested, widths, regs, vr, sigma, bounds, stage, bar):
        return [dict(stage=stage, sigma=sigma, width=w, reg=list(r), screen_steps=steps[sigma, w], screen_left=0)
                for w in sorted(widths, reverse=True) for r in regs]
    def finals(nested, cands, vr, L, bounds, ref, ref_series, floor, bar, tie=0.0, noise=None):
        for i, c in enumerate(cands):
            c.update(order=i, vpt_steps=c['screen_steps'] - (c['reg'][0] == 'ridge'), left=int(c['width'] in fail), dstsp=0.1, dh=0.1)
        return sel.choose(cands, floor, tie)
    monkeypatch.setattr(sel, '_screen', screen)
    monkeypatch.setattr(sel, '_finals', finals)
    calls = []
    def fits(sigma, w):
        calls.append((sigma, w)); return f'nested-{sigma}-{w}'
    return fits, calls

WIDTHS = [125, 250, 500, 1000]

def test_narrow_winner_ends_the_search(monkeypatch):
    fits, calls = scripted(monkeypatch, {(0.0, 125): 100, (0.0, 250): 300, (0.0, 500): 200, (0.0, 1000): 900})
    chosen, nested, main, cands, sigma = sel._search(fits, [0.0], WIDTHS, REGS, HO, 0.0, Bar())
    assert calls == [(0.0, 500)]            # the widest layer is never fitted
    assert (chosen['width'], chosen['reg']) == (250, ['pivoted', 0.0])
    assert nested == 'nested-0.0-500' and {c['width'] for c in cands} == {125, 250, 500}

def test_widest_of_the_half_opens_the_ladder(monkeypatch):
    fits, calls = scripted(monkeypatch, {(0.0, 125): 100, (0.0, 250): 200, (0.0, 500): 300, (0.0, 1000): 900})
    chosen, nested, main, cands, sigma = sel._search(fits, [0.0], WIDTHS, REGS, HO, 0.0, Bar())
    assert calls == [(0.0, 500), (0.0, 1000)]
    assert chosen['width'] == 1000 and nested == 'nested-0.0-1000'
    assert [c['width'] for c in cands if c['stage'] == 'width'] == [1000, 1000]   # the narrower half is not screened again
    assert {c['width'] for c in main} == set(WIDTHS)

def test_wider_layers_compete_with_the_narrow_winner(monkeypatch):
    # the widest of the half won, but the widest layer forecasts less far: the narrow winner stays; on a tie the wider wins
    fits, calls = scripted(monkeypatch, {(0.0, 125): 100, (0.0, 250): 200, (0.0, 500): 300, (0.0, 1000): 250})
    assert sel._search(fits, [0.0], WIDTHS, REGS, HO, 0.0, Bar())[0]['width'] == 500
    fits, calls = scripted(monkeypatch, {(0.0, 125): 100, (0.0, 250): 200, (0.0, 500): 300, (0.0, 1000): 300})
    assert sel._search(fits, [0.0], WIDTHS, REGS, HO, 0.0, Bar())[0]['width'] == 1000

def test_no_narrow_model_passes(monkeypatch):
    # every narrow candidate left the range: the wider ones are tried
    fits, calls = scripted(monkeypatch, {(0.0, 125): 100, (0.0, 250): 300, (0.0, 500): 200, (0.0, 1000): 150}, fail=(125, 250, 500))
    chosen = sel._search(fits, [0.0], WIDTHS, REGS, HO, 0.0, Bar())[0]
    assert calls[-1] == (0.0, 1000) and chosen['width'] == 1000

def test_smoothings_on_the_narrowest_rungs(monkeypatch):
    # several smoothings are compared on all but the two widest rungs; the ladder then climbs for the best one
    steps = {(s, w): v for s, base in ((0.0, 100), (2.0, 400)) for w, v in zip(WIDTHS, (base, base + 50, base + 20, base + 900))}
    fits, calls = scripted(monkeypatch, steps)
    chosen, nested, main, cands, sigma = sel._search(fits, [0.0, 2.0], WIDTHS, REGS, HO, 0.0, Bar())
    assert calls == [(0.0, 250), (2.0, 250), (2.0, 500)] and sigma == 2.0   # 500 did not beat 250: 1000 is never fitted
    assert (chosen['sigma'], chosen['width']) == (2.0, 250)
    assert {c['sigma'] for c in main} == {2.0} and {c['sigma'] for c in cands} == {0.0, 2.0}
    assert {c['width'] for c in cands if c['sigma'] == 0.0} == {125, 250}

def test_the_ladder_climbs_one_rung_at_a_time(monkeypatch):
    steps = {(s, w): v for s, base in ((0.0, 100), (2.0, 400)) for w, v in zip(WIDTHS, (base, base + 50, base + 80, base + 900))}
    fits, calls = scripted(monkeypatch, steps)
    chosen, nested, main, cands, sigma = sel._search(fits, [0.0, 2.0], WIDTHS, REGS, HO, 0.0, Bar())
    assert calls == [(0.0, 250), (2.0, 250), (2.0, 500), (2.0, 1000)]
    assert (chosen['sigma'], chosen['width']) == (2.0, 1000) and nested == 'nested-2.0-1000'
    assert [c['width'] for c in main] == [1000, 1000, 500, 500, 250, 250, 125, 125]   # each width screened once, widest first

def test_one_width(monkeypatch):
    fits, calls = scripted(monkeypatch, {(0.0, 300): 10})
    chosen = sel._search(fits, [0.0], [300], REGS, HO, 0.0, Bar())[0]
    assert calls == [(0.0, 300)] and chosen['width'] == 300

def test_cheap_fits_screen_every_rung_at_once(monkeypatch):
    # without climbing (a short record: the fits cost little), every rung is screened, from one factorisation at the widest
    steps = {(s, w): v for s, base in ((0.0, 100), (2.0, 400)) for w, v in zip(WIDTHS, (base, base + 50, base + 20, base + 900))}
    fits, calls = scripted(monkeypatch, steps)
    chosen, nested, main, cands, sigma = sel._search(fits, [0.0, 2.0], WIDTHS, REGS, HO, 0.0, Bar(), climb=False)
    assert calls == [(0.0, 1000), (2.0, 1000)] and (chosen['sigma'], chosen['width']) == (2.0, 1000)
    assert {c['width'] for c in main} == set(WIDTHS) and {c['stage'] for c in cands} == {'width'}

def test_select_climbs_where_the_widest_fit_costs(monkeypatch):
    # `select` climbs on long records only: training pairs × widest width² against CLIMB_FROM
    seen = []
    real = sel._search
    def spy(*a, **k):
        seen.append(a[7] if len(a) > 7 else k.get('climb', True)); return real(*a, **k)   # climb: the eighth argument
    monkeypatch.setattr(sel, '_search', spy)
    from gfrnn_nb.sampling import sample_layer
    def draw(Zs, Us, width):
        Xt, Xn = np.concatenate([z[:-1] for z in Zs]), np.concatenate([z[1:] for z in Zs])
        return sample_layer(Xt, width, 'swim', fX=Xn, seed=0)
    t = np.linspace(0, 60, 3001)
    Z = [np.stack([np.sin(t), np.cos(t), np.sin(2 * t)], 1)]
    n_pairs = int(round(0.8 * 3000))
    for max_width, climbs in ((100, n_pairs * 100 ** 2 >= sel.CLIMB_FROM), (1000, n_pairs * 1000 ** 2 >= sel.CLIMB_FROM)):
        sel.select(Z, [None], draw, max_width=max_width, progress=False)
        assert seen[-1] == climbs
    assert seen == [False, True]
