import pytest
import torch

from dlbook import History, evaluate, make_mlp, make_optimizer, make_spiral, train


@pytest.fixture(scope="module")
def data():
    return make_spiral(n_per_class=100, n_classes=3, seed=3)


def test_history_records_every_epoch(data):
    X, y = data
    model = make_mlp(2, 32, 3, seed=0)
    h = train(model, X, y, epochs=50, optimizer="adam", lr=1e-2)
    assert isinstance(h, History) and h.epochs == 50 and len(h.acc) == 50
    assert all(isinstance(v, float) for v in h.loss + h.acc)
    assert h.loss[-1] < h.loss[0]
    assert 0 <= min(h.acc) and max(h.acc) <= 1
    assert (h.final_loss, h.final_acc) == pytest.approx(evaluate(model, X, y))


def test_relu_learns_the_spiral_linear_does_not(data):
    X, y = data
    relu = train(make_mlp(2, 100, 3, "relu", seed=0), X, y, epochs=400, optimizer="adam", lr=1e-2)
    lin = train(make_mlp(2, 100, 3, "none", seed=0), X, y, epochs=400, optimizer="adam", lr=1e-2)
    assert relu.final_acc > 0.9
    assert lin.final_acc < 0.65


def test_training_is_deterministic(data):
    X, y = data
    runs = [train(make_mlp(2, 16, 3, seed=1), X, y, epochs=30, optimizer="sgd", lr=0.1, momentum=0.9) for _ in range(2)]
    assert runs[0].loss == runs[1].loss


def test_test_accuracy_filled(data):
    X, y = data
    h = train(make_mlp(2, 16, 3, seed=1), X[:200], y[:200], epochs=5, X_test=X[200:], y_test=y[200:])
    assert h.test_acc is not None and 0 <= h.test_acc <= 1
    with pytest.raises(ValueError, match="X_test and y_test"):
        train(make_mlp(2, 16, 3), X, y, epochs=1, X_test=X)


def test_evaluate_keeps_training_flag_and_weights(data):
    X, y = data
    model = make_mlp(2, 8, 3, seed=0)
    before = [p.clone() for p in model.parameters()]
    model.train()
    evaluate(model, X, y)
    assert model.training
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"epochs": 0}, ValueError, "epochs"),
        ({"optimizer": "rmsprop"}, ValueError, "sgd, adam, adamw"),
        ({"lr": 0}, ValueError, "lr"),
        ({"lr": -1e-3}, ValueError, "lr"),
        ({"weight_decay": -1}, ValueError, "weight_decay"),
        ({"optimizer": "adam", "momentum": 0.9}, ValueError, "momentum"),
    ],
)
def test_bad_arguments(data, kwargs, exc, match):
    X, y = data
    with pytest.raises(exc, match=match):
        train(make_mlp(2, 8, 3), X, y, **kwargs)


def test_optimizers_by_name():
    params = [torch.nn.Parameter(torch.zeros(3))]
    assert type(make_optimizer(params, "sgd", 0.1, momentum=0.9)).__name__ == "SGD"
    assert type(make_optimizer(params, "ADAM")).__name__ == "Adam"
    assert type(make_optimizer(params, "adamw", weight_decay=0.01)).__name__ == "AdamW"
