"""Property-based tests: any bad argument to ``make_spiral`` and ``train`` raises
ValueError or
TypeError naming that argument; any good one works."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlbook import fit, make_spiral, nets

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

not_a_number = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.lists(st.integers(), max_size=2),
    st.booleans(),
    st.just(object()),
)
not_an_int = st.one_of(not_a_number, st.floats(allow_nan=True, allow_infinity=True))
bad_float = st.one_of(
    st.floats(max_value=-1e-12, allow_infinity=True),
    st.just(math.nan),
    st.just(math.inf),
)


def raises_naming(name: str, fn, *args, **kwargs):
    with pytest.raises((ValueError, TypeError)) as info:
        fn(*args, **kwargs)
    assert name in str(info.value), (
        f"{type(info.value).__name__}: {info.value} does not name {name!r}"
    )
    return info.value


# ---- make_spiral
# ------------------------------------------------------------------------


@SETTINGS
@given(
    n=st.integers(1, 40),
    k=st.integers(2, 6),
    noise=st.floats(0, 2),
    seed=st.integers(0, 2**31),
)
def test_make_spiral_accepts_every_good_value(n, k, noise, seed):
    X, y = make_spiral(n_per_class=n, n_classes=k, noise=noise, random_state=seed)
    assert X.shape == (n * k, 2) and y.shape == (n * k,)
    assert torch.isfinite(X).all() and X.norm(dim=1).max() <= 1 + 1e-6
    assert torch.bincount(y, minlength=k).tolist() == [n] * k


@SETTINGS
@given(bad=st.one_of(st.integers(max_value=0), not_an_int))
def test_make_spiral_rejects_bad_n_per_class(bad):
    err = raises_naming("n_per_class", make_spiral, n_per_class=bad)
    assert isinstance(
        err,
        ValueError if isinstance(bad, int) and not isinstance(bad, bool) else TypeError,
    )


@SETTINGS
@given(bad=st.one_of(st.integers(max_value=1), not_an_int))
def test_make_spiral_rejects_bad_n_classes(bad):
    raises_naming("n_classes", make_spiral, n_per_class=5, n_classes=bad)


@SETTINGS
@given(bad=st.one_of(bad_float, not_a_number))
def test_make_spiral_rejects_bad_noise(bad):
    raises_naming("noise", make_spiral, n_per_class=5, noise=bad)


@SETTINGS
@given(bad=st.one_of(st.integers(max_value=-1), not_an_int))
def test_make_spiral_rejects_bad_seed(bad):
    raises_naming("random_state", make_spiral, n_per_class=5, random_state=bad)


# ---- train
# ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data():
    return make_spiral(n_per_class=10, n_classes=3, random_state=0)


def _model():
    return nets.mlp(2, 4, 3, seed=0)


@SETTINGS
@given(
    epochs=st.integers(1, 3),
    optimizer=st.sampled_from(["sgd", "adam", "adamw", "SGD", " Adam "]),
    lr=st.floats(1e-6, 1.0),
    weight_decay=st.floats(0, 0.1),
)
def test_train_accepts_every_good_value(data, epochs, optimizer, lr, weight_decay):
    X, y = data
    h = fit(
        _model(),
        X,
        y,
        epochs=epochs,
        optimizer=optimizer,
        lr=lr,
        weight_decay=weight_decay,
    )
    assert h.epochs == epochs and len(h.acc) == epochs


@SETTINGS
@given(bad=st.one_of(st.integers(max_value=0), not_an_int))
def test_train_rejects_bad_epochs(data, bad):
    raises_naming("epochs", fit, _model(), *data, epochs=bad)


@SETTINGS
@given(bad=st.one_of(bad_float, st.just(0.0), not_a_number))
def test_train_rejects_bad_lr(data, bad):
    raises_naming("lr", fit, _model(), *data, epochs=1, lr=bad)


@SETTINGS
@given(bad=st.one_of(bad_float, not_a_number))
def test_train_rejects_bad_weight_decay(data, bad):
    raises_naming("weight_decay", fit, _model(), *data, epochs=1, weight_decay=bad)


@SETTINGS
@given(bad=st.one_of(bad_float, not_a_number.filter(lambda v: v is not None)))
def test_train_rejects_bad_momentum(data, bad):
    raises_naming(
        "momentum", fit, _model(), *data, epochs=1, optimizer="sgd", momentum=bad
    )


@SETTINGS
@given(
    bad=st.one_of(
        st.text(min_size=1, max_size=8).filter(
            lambda s: s.strip().lower() not in ("sgd", "adam", "adamw")
        ),
        st.none(),
        st.integers(),
    )
)
def test_train_rejects_bad_optimizer(data, bad):
    err = raises_naming("optimizer", fit, _model(), *data, epochs=1, optimizer=bad)
    if isinstance(bad, str):
        assert "sgd, momentum, adam, adamw" in str(err)


@SETTINGS
@given(
    bad=st.one_of(
        not_a_number,
        st.just(torch.zeros(30, 2, dtype=torch.long)),
        st.just(torch.zeros(30)),
        st.just(torch.zeros(29, 2)),
    )
)
def test_train_rejects_bad_X(data, bad):
    _, y = data
    raises_naming("X", fit, _model(), bad, y, epochs=1)


@SETTINGS
@given(
    bad=st.one_of(
        not_a_number,
        st.just(torch.zeros(30)),
        st.just(torch.zeros(30, 1, dtype=torch.long)),
        st.just(torch.zeros(29, dtype=torch.long)),
    )
)
def test_train_rejects_bad_y(data, bad):
    X, _ = data
    raises_naming("y", fit, _model(), X, bad, epochs=1)


def test_train_rejects_a_non_module(data):
    raises_naming("model", fit, "not a model", *data, epochs=1)
