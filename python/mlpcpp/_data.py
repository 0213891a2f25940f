"""Features and targets as the library takes them.

Arrays go through scikit-learn's own validation (finite numbers, two dimensions, n_features_in_,
feature names) and reach the library as they are when they are already float32 or float64 and
C-contiguous: the library then reads the caller's memory. pandas DataFrames are tables: their
columns go to the library by name, text and categorical columns are one-hot encoded and missing
cells imputed there, as `mlp train` does with a CSV file.
"""

import numpy as np

FLOAT_DTYPES = (np.float64, np.float32)


def is_dataframe(X):
    """Whether X is a pandas DataFrame (pandas need not be installed)."""
    return hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc")


def table_columns(frame):
    """A DataFrame as the library's table: a list of (name, column) pairs, each column a float64
    array (NaN where missing) for numbers and booleans, or a list of str ("" where missing) for
    text, categorical and other object columns."""
    import pandas as pd

    columns = []
    for name in frame.columns:
        col = frame[name]
        if isinstance(col, pd.DataFrame):
            raise ValueError(f"column name {name!r} appears more than once")
        dtype = col.dtype
        if pd.api.types.is_bool_dtype(dtype) or (
            pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
        ):
            values = col.to_numpy(dtype=np.float64, na_value=np.nan)
        elif (
            pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)
        ):
            values = ["" if _missing(v) else str(v) for v in col.tolist()]
        else:
            raise TypeError(
                f"column {name!r} has dtype {dtype}; DataFrame columns must hold numbers, "
                "booleans, text or categories"
            )
        columns.append((str(name), values))
    return columns


def _missing(value):
    return value is None or (isinstance(value, float) and value != value) or _is_na(value)


def _is_na(value):
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def contiguous(X):
    """X (validated, 2-D) as the library views it: C-contiguous, in native byte order. No copy
    when it already is."""
    if not X.dtype.isnative:
        X = X.astype(X.dtype.newbyteorder("="))
    return np.ascontiguousarray(X)
