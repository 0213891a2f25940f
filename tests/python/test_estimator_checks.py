"""scikit-learn's own estimator checks (sklearn.utils.estimator_checks), every one that
check_estimator runs for these estimators with Debian's scikit-learn, each as a test case, plus
the DataFrame and n_features_in_ checks that scikit-learn runs on its own estimators.

Skipped: none of check_estimator's. Of the extra checks, check_param_validation is not run: it
needs scikit-learn's private _parameter_constraints machinery, which third-party estimators do
not have (the parameters are validated at fit, with ValueError, as the check would want).
"""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import estimator_checks

import mlpcpp

SKIPPED = {}  # check name -> why; documented in docs/python.md


def _checks():
    for estimator in (mlpcpp.MLPClassifier(), mlpcpp.MLPRegressor()):
        for est, check in estimator_checks.check_estimator(estimator, generate_only=True):
            func = getattr(check, "func", check)
            keywords = getattr(check, "keywords", {})
            label = func.__name__ + "".join(f"[{k}={v}]" for k, v in sorted(keywords.items()))
            yield pytest.param(est, check, id=f"{type(est).__name__}-{label}")


CHECKS = list(_checks())


def test_every_check_is_collected():
    # Guards against a scikit-learn that generates nothing (the run would pass vacuously).
    assert len(CHECKS) > 70


@pytest.mark.parametrize("estimator, check", CHECKS)
def test_check_estimator(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in SKIPPED:
        pytest.skip(SKIPPED[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of the short runs the checks ask for
        check(estimator)


@pytest.mark.parametrize("Estimator", [mlpcpp.MLPClassifier, mlpcpp.MLPRegressor])
@pytest.mark.parametrize(
    "check", ["check_dataframe_column_names_consistency", "check_n_features_in_after_fitting"]
)
def test_checks_scikit_learn_runs_on_its_own(Estimator, check):
    pytest.importorskip("pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        getattr(estimator_checks, check)(Estimator.__name__, Estimator())
