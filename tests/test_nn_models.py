"""The classifiers' interface: fit's checks and history, predict/predict_proba/score."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

X_FLOWER, Y_FLOWER = nn.make_flower()
X_SPIRAL, Y_SPIRAL = nn.make_spiral()


def test_fit_returns_a_history_read_as_dict_or_attributes():
    model = nn.TwoLayerNet(2, 8, 3, seed=0)
    history = model.fit(X_SPIRAL, Y_SPIRAL, epochs=5, lr=0.5, verbose=False)
    assert isinstance(history, dict) and set(history) == {"loss", "accuracy"}
    assert history.loss is history["loss"] and len(history.loss) == 5
    assert all(0 <= a <= 1 for a in history.accuracy)
    with pytest.raises(AttributeError, match="History has no 'val_loss'"):
        _ = history.val_loss


def test_full_batch_gradient_descent_lowers_the_loss_every_step():
    history = nn.LogisticRegression(2).fit(X_FLOWER, Y_FLOWER, epochs=30, lr=0.1,
                                           verbose=False)
    assert history.loss[0] == pytest.approx(np.log(2))  # zero weights: P = 1/2 everywhere
    assert all(b < a for a, b in zip(history.loss, history.loss[1:]))


def test_validation_data_adds_val_curves():
    X_tr, X_te, y_tr, y_te = nn.train_test_split(X_SPIRAL, Y_SPIRAL)
    history = nn.TwoLayerNet(2, 8, 3, seed=0).fit(
        X_tr, y_tr, epochs=3, lr=0.5, verbose=False, validation_data=(X_te, y_te))
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.val_accuracy) == 3


def test_minibatches_are_reproducible_with_a_seed():
    def run(seed):
        model = nn.TwoLayerNet(2, 8, 3, seed=0)
        return model.fit(X_SPIRAL, Y_SPIRAL, epochs=3, lr=0.5, batch_size=32, seed=seed,
                         verbose=False).loss

    assert run(1) == run(1) and run(1) != run(2)


@pytest.mark.parametrize("optimizer", ["sgd", "gd", "momentum", "adam"])
def test_every_named_optimizer_trains(optimizer):
    model = nn.TwoLayerNet(2, 16, 3, seed=0, init="he")
    lr = 0.01 if optimizer == "adam" else 0.5
    history = model.fit(X_SPIRAL, Y_SPIRAL, epochs=30, lr=lr, batch_size=64,
                        optimizer=optimizer, seed=0, verbose=False)
    assert history.loss[-1] < history.loss[0]


def test_an_optimizer_object_is_used_as_given():
    model = nn.TwoLayerNet(2, 8, 3, seed=0)
    opt = nn.Adam(model.parameters(), lr=0.05)
    model.fit(X_SPIRAL, Y_SPIRAL, epochs=3, optimizer=opt, verbose=False)
    assert opt.t == 3
    with pytest.raises(ValueError, match="set the learning rate on the optimizer"):
        model.fit(X_SPIRAL, Y_SPIRAL, epochs=1, lr=0.1, optimizer=opt, verbose=False)
    other = nn.Adam(nn.TwoLayerNet(2, 8, 3).parameters())
    with pytest.raises(ValueError, match="not this model's"):
        model.fit(X_SPIRAL, Y_SPIRAL, optimizer=other, verbose=False)
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        model.fit(X_SPIRAL, Y_SPIRAL, optimizer="rmsprop", verbose=False)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's overflow: the point here
def test_a_diverging_loss_names_the_epoch_and_step():
    X = X_SPIRAL * 1e150  # finite inputs whose products overflow after one step
    with pytest.raises(nn.NonFiniteLossError, match=r"at epoch 2, step 1 \(lr=0.5\)"):
        nn.TwoLayerNet(2, 8, 3, seed=0).fit(X, Y_SPIRAL, epochs=3, lr=0.5, verbose=False)
    with pytest.raises(FloatingPointError, match=r"epoch \d+, step \d+"):
        nn.TwoLayerNet(2, 100, 3, seed=0, init="he").fit(
            X_SPIRAL * 100, Y_SPIRAL, epochs=50, lr=1e4, batch_size=100, verbose=False)


# -- data checks: raised before any training ----------------------------------------------


@pytest.mark.parametrize("X,y,error,message", [
    (np.zeros((5, 2)), np.zeros(4), ValueError, "X has 5 samples, y has 4 labels"),
    (np.zeros(5), np.zeros(5), ValueError, r"must be 2-d.*got shape \(5,\).*reshape"),
    (np.zeros((2, 400)), np.zeros(400), ValueError, r"looks transposed.*pass X.T"),
    (np.zeros((5, 3)), np.zeros(5), ValueError, r"3 features per sample, but the model takes 2"),
    ("data", np.zeros(5), TypeError, "X must be a 2-d array .* got str"),
    (np.array([["a", "b"]]), np.zeros(1), TypeError, "X must hold numbers"),
    (np.array([[0.0, np.nan]] * 3), np.zeros(3), ValueError, r"non-finite value nan at \[0, 1\]"),
    (np.zeros((3, 2)), np.array([0, 1, 2]), ValueError, r"y\[2\] = 2 is not a valid label.*0 or 1"),
    (np.zeros((3, 2)), np.array([0, -1, 1]), ValueError, r"y\[1\] = -1 is not a valid label"),
    (np.zeros((3, 2)), np.array([0, 0.5, 1]), ValueError, r"whole-number.*y\[1\] = 0.5"),
    (np.zeros((3, 2)), np.array(["a", "b", "c"]), TypeError, "integer class labels"),
    (np.zeros((3, 2)), None, TypeError, "y must be a 1-d array .* got NoneType"),
    (np.zeros((4, 2)), np.zeros((2, 2)), ValueError, r"y must be 1-d .* \(2, 2\)"),
    (np.zeros((0, 2)), np.zeros(0), ValueError, "no samples"),
])
def test_fit_rejects_bad_data_with_a_clear_message(X, y, error, message):
    model = nn.LogisticRegression(2)
    before = model.state_dict()
    with pytest.raises(error, match=message):
        model.fit(X, y, epochs=1, verbose=False)
    np.testing.assert_array_equal(model.state_dict()["linear.weight"], before["linear.weight"])


@pytest.mark.parametrize("X,y", [("data", [0]), (np.zeros((1, 2)), ["a"]),
                                 (np.zeros((1, 2)), None)])
def test_data_of_the_wrong_type_is_a_value_error_too(X, y):
    """Classifier.fit's docstring: ValueError when X and y do not match in length or type."""
    with pytest.raises(ValueError):
        nn.LogisticRegression(2).fit(X, y, verbose=False)
    with pytest.raises(TypeError):
        nn.LogisticRegression(2).fit(X, y, verbose=False)


def test_anything_that_converts_to_an_array_is_accepted():
    class Frame:  # what pandas DataFrames and Series look like to numpy
        def __init__(self, data):
            self.data = np.asarray(data)

        def __array__(self, dtype=None, copy=None):
            return self.data

    model = nn.LogisticRegression(2)
    model.fit(Frame(X_FLOWER), Frame(Y_FLOWER), epochs=2, verbose=False)
    assert model.score(Frame(X_FLOWER), Frame(Y_FLOWER)) == model.score(X_FLOWER, Y_FLOWER)
    assert model.predict(X_FLOWER.tolist()).shape == (400,)


def test_labels_out_of_range_for_a_softmax_net():
    with pytest.raises(ValueError, match=r"y\[0\] = 3 .* labels are 0..2"):
        nn.TwoLayerNet(2, 4, 3).fit(np.zeros((2, 2)), [3, 0], verbose=False)


def test_course_shaped_labels_are_accepted():
    """The course keeps Y as a (1, m) row; a row or column of labels is flattened."""
    model = nn.LogisticRegression(2)
    model.fit(X_FLOWER, Y_FLOWER.reshape(1, -1).astype(float), epochs=2, verbose=False)
    assert model.score(X_FLOWER, Y_FLOWER.reshape(-1, 1)) == model.score(X_FLOWER, Y_FLOWER)


@pytest.mark.parametrize("kwargs,message", [
    (dict(epochs=0), "epochs must be a positive int, got 0"),
    (dict(batch_size=-3), "batch_size must be a positive int"),
    (dict(reg=-1.0), "reg must be a finite number >= 0"),
    (dict(lr=float("nan")), "lr must be a finite number > 0"),
    (dict(validation_data=np.zeros((3, 2))), "validation_data must be a pair"),
    (dict(validation_data=(np.zeros((3, 2)), [0, 1])), "X_val has 3 samples, y_val has 2"),
])
def test_fit_rejects_bad_settings(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        nn.LogisticRegression(2).fit(X_FLOWER, Y_FLOWER, verbose=False, **kwargs)


def test_models_reject_bad_configurations():
    with pytest.raises(ValueError, match="loss='bce' needs n_out == 1"):
        nn.TwoLayerNet(2, 4, 3, loss="bce")
    with pytest.raises(ValueError, match="loss='softmax' needs n_out >= 2"):
        nn.TwoLayerNet(2, 4, 1)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.TwoLayerNet(2, 4, 2, activation="gelu")
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        nn.TwoLayerNet(2, 4, 2, loss="hinge")
    with pytest.raises(ValueError, match="n_hidden must be a positive int, got 0"):
        nn.TwoLayerNet(2, 0, 2)
    with pytest.raises(ValueError, match="loss must be 'softmax' or 'svm'"):
        nn.LinearClassifier(2, 3, loss="bce")


# -- predictions --------------------------------------------------------------------------


def test_logistic_regression_predict_proba_is_p_of_class_one():
    model = nn.LogisticRegression(2)
    model.fit(X_FLOWER, Y_FLOWER, epochs=10, verbose=False)
    p = model.predict_proba(X_FLOWER)
    assert p.shape == (400,) and np.all((p > 0) & (p < 1))
    np.testing.assert_array_equal(model.predict(X_FLOWER), (p > 0.5).astype(int))
    assert model.predict(X_FLOWER).dtype == np.int64


def test_softmax_net_predict_proba_rows_sum_to_one_and_argmax_is_predict():
    model = nn.TwoLayerNet(2, 8, 3, seed=0)
    model.fit(X_SPIRAL, Y_SPIRAL, epochs=20, lr=1.0, verbose=False)
    p = model.predict_proba(X_SPIRAL)
    assert p.shape == (300, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_array_equal(p.argmax(axis=1), model.predict(X_SPIRAL))
    assert model.score(X_SPIRAL, Y_SPIRAL) == np.mean(model.predict(X_SPIRAL) == Y_SPIRAL)


def test_bce_net_gives_p_of_class_one_and_svm_net_has_no_probabilities():
    bce = nn.TwoLayerNet(2, 4, 1, activation="tanh", loss="bce", seed=0)
    assert bce.predict_proba(X_FLOWER).shape == (400,)
    svm = nn.TwoLayerNet(2, 8, 3, loss="svm", seed=0)
    svm.fit(X_SPIRAL, Y_SPIRAL, epochs=5, lr=0.5, verbose=False)
    assert svm.decision_function(X_SPIRAL).shape == (300, 3)
    with pytest.raises(ValueError, match="use decision_function"):
        svm.predict_proba(X_SPIRAL)


def test_predict_checks_its_input_too():
    with pytest.raises(ValueError, match="3 features per sample, but the model takes 2"):
        nn.LogisticRegression(2).predict(np.zeros((4, 3)))


def test_predict_proba_is_stable_for_huge_logits():
    model = nn.LogisticRegression(1)
    model.load_state_dict({"linear.weight": np.array([[1.0]]), "linear.bias": np.array([0.0])})
    p = model.predict_proba(np.array([[-1000.0], [1000.0]]))
    np.testing.assert_array_equal(p, [0.0, 1.0])


def test_fit_is_silent_when_verbose_is_false_or_not_a_tty(capsys):
    nn.LogisticRegression(2).fit(X_FLOWER, Y_FLOWER, epochs=3, verbose=False)
    nn.LogisticRegression(2).fit(X_FLOWER, Y_FLOWER, epochs=3)  # captured: not a TTY
    assert capsys.readouterr() == ("", "")


def test_fit_continues_from_the_current_weights():
    model = nn.LogisticRegression(2)
    first = model.fit(X_FLOWER, Y_FLOWER, epochs=5, verbose=False)
    second = model.fit(X_FLOWER, Y_FLOWER, epochs=5, verbose=False)
    assert second.loss[0] < first.loss[-1]


@pytest.mark.parametrize("make", [
    lambda: nn.TwoLayerNet(2, 8, 1, activation="tanh", loss="bce", seed=0),
    lambda: nn.TwoLayerNet(2, 8, 2, loss="softmax", seed=0),
    lambda: nn.TwoLayerNet(2, 8, 2, loss="svm", seed=0),
])
def test_fit_steps_after_the_first_give_the_checked_objective_exactly(make):
    # fit checks the labels once and then calls the losses' unchecked cores: the loss of
    # every step is still the public, checked objective's number at the weights it saw.
    model, twin = make(), make()
    history = model.fit(X_FLOWER, Y_FLOWER, epochs=3, lr=0.5, reg=1e-3, verbose=False)
    for epoch in range(3):
        expected = twin.objective(twin.forward(Tensor(X_FLOWER)), Y_FLOWER, 1e-3)
        assert history.loss[epoch] == expected.item()
        twin.fit(X_FLOWER, Y_FLOWER, epochs=1, lr=0.5, reg=1e-3, verbose=False)


class _WrongShape(nn.LogisticRegression):
    """A Classifier of one's own whose scores do not fit the bce loss: (N, 1), not (N,)."""

    def forward(self, X):
        return self.linear(X)


def test_fit_checks_a_custom_models_scores_against_the_labels_before_any_update():
    model = _WrongShape(2)
    before = model.linear.weight.data.copy()
    with pytest.raises(ValueError, match=r"y must be numbers of the logits' shape \(400, 1\)"):
        model.fit(X_FLOWER, Y_FLOWER, epochs=3, verbose=False)
    assert np.array_equal(model.linear.weight.data, before)


class _OwnObjective(nn.LogisticRegression):
    """A Classifier that adds its own term to the objective: fit must use it every step."""

    calls = 0

    def objective(self, scores, y, reg=0.0):
        type(self).calls += 1
        return super().objective(scores, y, reg) + 0.0 * scores.sum()


def test_fit_uses_a_subclass_objective_on_every_step():
    _OwnObjective.calls = 0
    _OwnObjective(2).fit(X_FLOWER, Y_FLOWER, epochs=4, verbose=False)
    assert _OwnObjective.calls == 4
