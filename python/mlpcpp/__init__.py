"""mlp.cpp from Python: scikit-learn estimators over the library's model object.

    import mlpcpp
    clf = mlpcpp.MLPClassifier(hidden_layer_sizes=(64,), max_iter=50).fit(X, y)
    clf.predict(X_test); clf.predict_proba(X_test); clf.score(X_test, y_test)
    clf.save("model.safetensors")            # what `mlp predict` reads
    clf = mlpcpp.load("model.safetensors")   # any model `mlp train` saved

docs/python.md describes the parameters, how they map onto the library's and what differs from
scikit-learn's MLPClassifier and MLPRegressor.
"""

from ._estimators import MLPClassifier, MLPRegressor, load
from ._mlpcpp import __version__

__all__ = ["MLPClassifier", "MLPRegressor", "load", "__version__"]
