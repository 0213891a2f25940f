"""MLPClassifier and MLPRegressor: scikit-learn estimators over mlp.cpp's model object.

The estimators hold their parameters (scikit-learn's rule: stored by __init__, read at fit) and,
once fitted, one ``mlpcpp._mlpcpp.Pipeline``, the library's whole model: preprocessing, network,
classes, target scaling. Everything about the model is computed there; this layer validates
inputs as scikit-learn does, maps scikit-learn's parameter names onto the library's options and
hands numbers over.
"""

import contextlib
import errno
import json
import numbers
import os
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import _check_y, check_consistent_length, check_is_fitted

from . import _data
from ._mlpcpp import Pipeline, bf16_products, set_threads, threads

SOLVERS = ("adam", "sgd", "adamw", "rmsprop", "adagrad")
# scikit-learn's activation names that the library spells otherwise.
_ACTIVATIONS = {"logistic": "sigmoid"}
_DTYPES = {"float32": "f32", "float64": "f64", "bfloat16": "bf16"}


class _MLPBase(BaseEstimator):
    """What the classifier and the regressor share: parameters, fit, partial_fit, pickling."""

    _task = None  # "classification" or "regression"

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.001,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        momentum=0.9,
        nesterovs_momentum=True,
        dropout=0.0,
        batch_norm=False,
        scale="none",
        dtype="float32",
        n_threads=None,
        loss=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.scale = scale
        self.dtype = dtype
        self.n_threads = n_threads
        self.loss = loss

    # --- fitting -------------------------------------------------------------------------------

    def fit(self, X, y):
        """Train a new model on X (array-like or DataFrame, (n_samples, n_features)) and y."""
        return self._guarded(self._fit, X, y, None, incremental=False)

    def _guarded(self, fn, *args, **kwargs):
        # A failed or interrupted (KeyboardInterrupt) fit leaves the estimator as it was: fitted
        # as before, or unfitted.
        saved = dict(self.__dict__)
        try:
            fn(*args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise
        return self

    def _fit(self, X, y, classes, incremental):
        first = not (incremental and "_model" in self.__dict__)
        x, y = self._validate_training(X, y, reset=first)
        targets, class_option = self._library_targets(y, classes, first)
        n_samples = _data_rows(x)
        options = self._options(n_samples, incremental)
        if class_option is not None:
            options["classes"] = class_option
        with self._threads():
            if first:
                model = Pipeline.fit(x, targets, options)
            else:
                self._model.fit_more(x, targets, options)
                model = self._model
        self._record(model, n_samples, continued=not first, early=bool(self.early_stopping) and not incremental)

    def _validate_training(self, X, y, reset):
        multi_output = self._task == "regression"
        if _data.is_dataframe(X):
            self._check_feature_names(X, reset=reset)
            self._check_n_features(X, reset=reset)
            if y is None:
                raise ValueError(
                    f"This {type(self).__name__} estimator requires y to be passed, but the target y is None."
                )
            y = _check_y(y, multi_output=multi_output, y_numeric=multi_output, estimator=self)
            check_consistent_length(X, y)
            return _data.table_columns(X), y
        X, y = self._validate_data(
            X, y, reset=reset, dtype=_data.FLOAT_DTYPES, multi_output=multi_output, y_numeric=multi_output
        )
        return _data.contiguous(X), y

    def _features(self, X):
        """X for predicting, checked against what fit saw."""
        check_is_fitted(self)
        if _data.is_dataframe(X):
            self._check_feature_names(X, reset=False)
            self._check_n_features(X, reset=False)
            return _data.table_columns(X)
        X = self._validate_data(X, reset=False, dtype=_data.FLOAT_DTYPES)
        return _data.contiguous(X)

    @contextlib.contextmanager
    def _threads(self):
        if self.n_threads is None:
            yield
            return
        if not isinstance(self.n_threads, numbers.Integral) or self.n_threads < 1:
            raise ValueError(f"n_threads must be None or an integer >= 1, got {self.n_threads!r}")
        before = threads()
        set_threads(int(self.n_threads))
        try:
            yield
        finally:
            set_threads(before)

    def _options(self, n_samples, incremental):
        """The library's options from the parameters (docs/python.md has the table)."""
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if not all(isinstance(s, numbers.Integral) and s > 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}")
        if self.solver not in SOLVERS:
            raise ValueError(f"solver {self.solver!r} is not supported; valid: {', '.join(SOLVERS)}")
        if isinstance(self.batch_size, str):
            if self.batch_size != "auto":
                raise ValueError(f"batch_size must be 'auto' or an integer, got {self.batch_size!r}")
            batch = min(200, n_samples)
        else:
            if not isinstance(self.batch_size, numbers.Integral):
                raise ValueError(f"batch_size must be 'auto' or an integer, got {self.batch_size!r}")
            if self.batch_size < 1 or self.batch_size > n_samples:
                # stacklevel: _options, _fit, _guarded, fit or partial_fit, the caller
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped",
                    stacklevel=5,
                )
            batch = int(np.clip(self.batch_size, 1, n_samples))
        for name in ("max_iter", "n_iter_no_change"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        for name in ("alpha", "tol", "learning_rate_init", "momentum"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not value >= 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}")
        try:
            # numpy has no bfloat16: that one is a name only.
            dtype = _DTYPES["bfloat16" if self.dtype == "bfloat16" else np.dtype(self.dtype).name]
        except (TypeError, KeyError):
            raise ValueError(f"dtype must be 'float32', 'float64' or 'bfloat16', got {self.dtype!r}") from None
        if dtype == "bf16" and not bf16_products():
            warnings.warn(
                "dtype='bfloat16': no bfloat16 products on this CPU (they need avx512_bf16); training in float32",
                RuntimeWarning,
            )
        activation = self.activation
        if not isinstance(activation, str):
            raise ValueError(f"activation must be a name, got {activation!r}")
        activation = ",".join(_ACTIVATIONS.get(a, a) for a in activation.split(","))

        early = bool(self.early_stopping) and not incremental
        options = {
            "task": self._task,
            "hidden": [int(s) for s in sizes],
            "activation": activation,
            "optimizer": self.solver,
            "lr": float(self.learning_rate_init),
            # scikit-learn's alpha is an L2 penalty on the mean batch loss: as weight decay added to
            # the gradient that is alpha / batch_size. AdamW's decay is decoupled: alpha as it is.
            "weight_decay": float(self.alpha) if self.solver == "adamw" else float(self.alpha) / batch,
            "batch_size": batch,
            "epochs": 1 if incremental else int(self.max_iter),
            "seed": self._next_seed(incremental),
            "shuffle": bool(self.shuffle),
            "validation_split": float(self.validation_fraction) if early else 0.0,
            # scikit-learn stops once more than n_iter_no_change epochs in a row fail to improve.
            "early_stopping_patience": 0 if incremental else int(self.n_iter_no_change) + 1,
            "monitor": ("val_accuracy" if self._task == "classification" else "val_r2") if early else "loss",
            "min_delta": float(self.tol),
            "min_delta_from_best_seen": True,  # as scikit-learn counts epochs without improvement
            "restore_best_weights": early,
            "dropout": float(self.dropout),
            "batch_norm": bool(self.batch_norm),
            "scale": self.scale,
            "dtype": dtype,
        }
        if self._task == "regression":
            options["standardize_targets"] = True
        if self.solver == "sgd":
            options["momentum"] = float(self.momentum)
            options["nesterov"] = bool(self.nesterovs_momentum) and self.momentum > 0
        if self.loss is not None:
            options["loss"] = self.loss
        if self.verbose:
            options["on_epoch"] = self._print_epoch
        return options

    def _print_epoch(self, epoch, train_loss, val_loss):
        """verbose: scikit-learn's line per epoch, and the validation loss when there is one."""
        line = f"Iteration {epoch}, loss = {train_loss:.8f}"
        if val_loss == val_loss:  # not NaN: validation data
            line += f", validation loss = {val_loss:.8f}"
        print(line)

    def _next_seed(self, incremental):
        """The library's seed: random_state when it is an integer, else drawn from it; each
        partial_fit call after the first shuffles with the next one."""
        if incremental and "_seed" in self.__dict__:
            return (self._seed + self.n_iter_) % 2**32
        rs = self.random_state
        if isinstance(rs, numbers.Integral) and not isinstance(rs, (bool, np.bool_)):
            if not 0 <= rs < 2**32:
                raise ValueError(f"random_state must be in [0, 2**32), got {rs}")
            seed = int(rs)
        else:
            seed = int(check_random_state(rs).randint(np.iinfo(np.int32).max))
        self._seed = seed
        return seed

    def _record(self, model, n_samples, continued, early):
        """The fitted attributes, from the library's model and the run's history."""
        history = model.history
        losses = [e["train_loss"] for e in history]
        self._model = model
        if continued:
            self.loss_curve_ = self.loss_curve_ + losses
            self.n_iter_ += len(history)
            self.t_ += len(history) * n_samples
        else:
            self.loss_curve_ = losses
            self.n_iter_ = len(history)
            self.t_ = len(history) * n_samples
        if early:
            metric = "accuracy" if self._task == "classification" else "r2"
            self.validation_scores_ = [e["val_metrics"].get(metric, float("nan")) for e in history]
            self.best_validation_score_ = max(self.validation_scores_)
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else None
        sizes = model.sizes
        self.n_layers_ = len(sizes)
        self.n_outputs_ = self._outputs(model)
        if not continued and not model.stopped_early and len(history) == self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=5,  # _record, _fit, _guarded, fit, the caller
            )

    def _outputs(self, model):
        return model.sizes[-1]

    def partial_fit(self, X, y, classes=None):
        """One more epoch over X, y from the current weights (the first call starts a model).
        The optimizer's moments restart with each call."""
        return self._guarded(self._fit, X, y, classes, incremental=True)

    # --- the fitted model ----------------------------------------------------------------------

    @property
    def coefs_(self):
        """Each layer's weights as (n_inputs, n_outputs) arrays, scikit-learn's orientation; they
        act on the features as the library scales them (scale='standard': standardized). Copies."""
        model = self._fitted_model()
        return [model.weight(i).T.copy() for i in range(model.layers)]

    @property
    def intercepts_(self):
        """Each layer's bias vector (copies)."""
        model = self._fitted_model()
        return [model.bias(i) for i in range(model.layers)]

    def _fitted_model(self):
        model = self.__dict__.get("_model")
        if model is None:
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet.")
        return model

    def save(self, path):
        """Write the model file (safetensors) that `mlp predict`, `mlp eval` and mlpcpp.load read."""
        self._fitted_model().save(os.fspath(path))

    def __getstate__(self):
        # The library's model travels as its model file's bytes.
        state = dict(super().__getstate__())
        model = state.pop("_model", None)
        if model is not None:
            state["_model_bytes"] = model.serialize()
        return state

    def __setstate__(self, state):
        state = dict(state)
        data = state.pop("_model_bytes", None)
        if data is not None:
            state["_model"] = Pipeline.deserialize(data)
        super().__setstate__(state)


def _data_rows(x):
    if isinstance(x, list):
        return len(x[0][1]) if x else 0
    return x.shape[0]


def _library_labels(values, numeric):
    """Labels as the library takes them: float64 numbers, or str."""
    if numeric:
        try:
            return np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError("y holds labels that are not among the numeric classes") from None
    return [str(v) for v in values]


class MLPClassifier(ClassifierMixin, _MLPBase):
    """A multi-layer perceptron classifier trained by mlp.cpp, with scikit-learn's MLPClassifier
    parameters where they mean the same (see docs/python.md).

    Fitted attributes: classes_, n_features_in_ (and feature_names_in_ for DataFrames),
    loss_curve_, best_loss_, n_iter_, t_, validation_scores_, best_validation_score_, n_layers_,
    n_outputs_, coefs_, intercepts_.
    """

    _task = "classification"

    def _library_targets(self, y, classes, first):
        check_classification_targets(y)
        if first:
            self.classes_ = unique_labels(y) if classes is None else unique_labels(classes)
        elif classes is not None and not np.array_equal(self.classes_, unique_labels(classes)):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on last call to partial_fit, was: {self.classes_!r}"
            )
        numeric = self.classes_.dtype.kind in "biuf"
        return _library_labels(y, numeric), _library_labels(self.classes_, numeric)

    def predict(self, X):
        """Each row's class (one of classes_)."""
        x = self._features(X)
        with self._threads():
            index = self._model.predict(x)
        return self.classes_[index]

    def predict_proba(self, X):
        """(n_samples, n_classes) class probabilities, columns in the order of classes_."""
        x = self._features(X)
        with self._threads():
            return self._model.predict_proba(x)

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def _outputs(self, model):
        return len(self.classes_)


class MLPRegressor(RegressorMixin, _MLPBase):
    """A multi-layer perceptron regressor trained by mlp.cpp, with scikit-learn's MLPRegressor
    parameters where they mean the same (see docs/python.md). Targets are standardized for
    training and predictions come back in their units; several target columns are supported.
    """

    _task = "regression"

    def _library_targets(self, y, classes, first):
        if classes is not None:
            raise ValueError("classes is for classifiers")
        return np.ascontiguousarray(y, dtype=np.float64), None

    def predict(self, X):
        """The predicted targets: (n_samples,) for one target, else (n_samples, n_targets)."""
        x = self._features(X)
        with self._threads():
            out = self._model.predict(x)
        return out.ravel() if out.shape[1] == 1 else out

    def _more_tags(self):
        return {"multioutput": True}


def _classes_from_names(names):
    """A loaded model's class names as scikit-learn shows classes: integers or numbers when they
    all are, else strings."""
    try:
        values = np.array([float(n) for n in names])
    except ValueError:
        return np.array(names)
    if np.all(np.isfinite(values)) and np.all(values == np.round(values)):
        return values.astype(np.int64)
    return values


def load(path):
    """The model in a file written by `mlp train` or by an estimator's save(): an MLPClassifier or
    an MLPRegressor, ready to predict (and to train further with partial_fit)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
    model = Pipeline.load(path)
    info = json.loads(model.info_json())
    estimator = MLPClassifier() if model.classification else MLPRegressor()
    _set_params_from(estimator, info, model)
    if model.classification:
        estimator.classes_ = _classes_from_names(model.classes)
    names = model.feature_names
    if names:
        estimator.feature_names_in_ = np.array(names, dtype=object)
        estimator.n_features_in_ = len(names)
    else:
        estimator.n_features_in_ = model.sizes[0]
    training = info.get("training", {})
    estimator._model = model
    estimator._seed = int(training.get("seed", 0))
    estimator.loss_curve_ = []
    estimator.n_iter_ = int(training.get("epochs_run", 0))
    estimator.t_ = estimator.n_iter_ * int(training.get("rows", 0))
    estimator.best_loss_ = training.get("train_loss")
    estimator.validation_scores_ = None
    estimator.best_validation_score_ = None
    estimator.n_layers_ = len(model.sizes)
    estimator.n_outputs_ = estimator._outputs(model)
    return estimator


def _set_params_from(estimator, info, model):
    """The parameters that describe a loaded model: its architecture and how it was trained."""
    arch = info.get("architecture", {})
    params = {"hidden_layer_sizes": tuple(model.sizes[1:-1]), "dtype": model.dtype}
    hidden = arch.get("hidden_activations", [])
    if hidden:
        names = ["logistic" if a == "sigmoid" else a for a in hidden]
        params["activation"] = names[0] if len(set(names)) == 1 else ",".join(names)
    params["dropout"] = arch.get("dropout", 0.0)
    params["batch_norm"] = arch.get("batch_norm", False)
    params["scale"] = info.get("preprocessing", {}).get("scale", "none")
    training = info.get("training", {})
    if training.get("optimizer") in SOLVERS:
        params["solver"] = training["optimizer"]
    if isinstance(training.get("lr"), (int, float)):
        params["learning_rate_init"] = training["lr"]
    if isinstance(training.get("batch_size"), int):
        params["batch_size"] = training["batch_size"]
    if isinstance(training.get("epochs_requested"), int) and training["epochs_requested"] > 0:
        params["max_iter"] = training["epochs_requested"]
    if isinstance(training.get("seed"), int):
        params["random_state"] = training["seed"]
    estimator.set_params(**params)
