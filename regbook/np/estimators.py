r"""scikit-learn-compatible estimators around regbook's solvers.

Thin classes in scikit-learn's estimator API (``get_params``/``set_params``,
``fit``/``predict``/``score``, fitted attributes ending in ``_``): they work in
``Pipeline`` and ``GridSearchCV`` and pass ``check_estimator``. :class:`Ridge` calls
:func:`regbook.np.linear.ridge`, :class:`ElasticNet` and :class:`Lasso` (an
``ElasticNet`` with ``l1_ratio=1``) :func:`regbook.np.coordinate_descent.elastic_net`,
:class:`LogisticRegression` :func:`regbook.np.logistic.logistic_regression`; the
objectives are scikit-learn's, so coefficients compare one to one.

Hyperparameters are stored unchanged by ``__init__`` and validated by ``fit`` with
regbook's message template. scikit-learn's ``validate_data`` handles the protocol
(feature names, ``n_features_in_``, sparse, complex and object input); regbook's
checks give the messages for shapes and non-finite values.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_array as sk_check_array
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from regbook._validation import check_array, check_bool, check_consistent_length, check_scalar
from regbook.np.coordinate_descent import elastic_net
from regbook.np.logistic import logistic_regression, predict_proba

__all__ = ["ElasticNet", "Lasso", "LogisticRegression", "Ridge"]


# --------------------------------------------------------------------------- input checks
def _check_X(est, X, caller, *, reset):
    """X as a finite float64 array of shape (n_samples, n_features)."""
    ndim = 2 if sparse.issparse(X) else np.asarray(X).ndim
    if ndim != 2:  # regbook's shape message comes first
        raise ValueError(
            f"The 'X' parameter of {caller} must be a 2D array (got {ndim}D input). "
            "Reshape your data with X.reshape(-1, 1) if it has a single feature "
            "or X.reshape(1, -1) if it is a single sample."
        )
    X = validate_data(est, X, reset=reset, dtype=np.float64, ensure_all_finite=False)
    return check_array(X, "X", caller, ndim=2)


def _check_y(est, y, caller, *, multi_output):
    """y as a finite float64 array: (n_samples,) or, if multi_output, (n_samples, n_targets)."""
    if y is None:
        raise ValueError(f"{type(est).__name__} requires y to be passed, but the target y is None.")
    # scikit-learn converts (lists, pandas, object dtype); regbook checks shape and values
    y = sk_check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float64, ensure_all_finite=False,
                       input_name="y")
    y = check_array(y, "y", caller, ndim=(1, 2))
    if y.ndim == 2 and not multi_output:
        if y.shape[1] != 1:
            raise ValueError(f"The 'y' parameter of {caller} must be a 1D array (got 2D input "
                             f"of shape {y.shape}).")
        y = column_or_1d(y, warn=True)  # a column vector: warn as scikit-learn does, then ravel
    return y


def _check_labels(est, y, caller):
    """Class labels: a 1-D array (numbers, which must be finite, or strings)."""
    if y is None:
        raise ValueError(f"{type(est).__name__} requires y to be passed, but the target y is None.")
    shape = np.asarray(y).shape
    if len(shape) != 1 and not (len(shape) == 2 and shape[1] == 1):
        raise ValueError(f"The 'y' parameter of {caller} must be a 1D array (got {len(shape)}D input).")
    y = column_or_1d(y, warn=True)
    if y.dtype.kind in "fc":
        check_array(y, "y", caller, ndim=1)
    check_classification_targets(y)  # refuses continuous targets ("Unknown label type")
    return y


class _LinearRegressor(RegressorMixin, BaseEstimator):
    """Shared ``predict`` of the linear regressors: :math:`\\hat y = X w + b`."""

    def predict(self, X):
        """Predicted targets :math:`Xw + b`, of shape (n_samples,) or (n_samples, n_targets)."""
        check_is_fitted(self)
        X = _check_X(self, X, f"{type(self).__name__}.predict", reset=False)
        return X @ self.coef_.T + self.intercept_


# --------------------------------------------------------------------------- regressors
class Ridge(_LinearRegressor):
    r"""Ridge regression (L2-penalized least squares), in closed form.

    .. math::

        \min_{w, b}\ \lVert y - Xw - b\mathbf 1\rVert_2^2 + \alpha\lVert w\rVert_2^2

    scikit-learn's ``Ridge`` objective; fitted by :func:`regbook.np.linear.ridge`
    (Cholesky on :math:`X_c^\top X_c + \alpha I` when :math:`n \ge p`, on
    :math:`X_c X_c^\top + \alpha I` otherwise). ``y`` may have several columns.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength :math:`\alpha \ge 0`.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept :math:`b`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : None
        No iterations: the solution is in closed form (as scikit-learn's ``Ridge``).
    solver_ : str
        ``"cholesky"``, ``"dual"`` or ``"lstsq"`` (see :func:`regbook.np.linear.ridge`).
    n_features_in_ : int

    Examples
    --------
    >>> model = Ridge(alpha=2.0).fit([[1.0], [2.0], [3.0]], [1.0, 2.0, 3.0])
    >>> round(float(model.coef_[0]), 6), round(float(model.predict([[4.0]])[0]), 6)
    (0.5, 3.0)
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True):
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def fit(self, X, y):
        """Fit the model to X of shape (n_samples, n_features) and y of shape (n_samples,)
        or (n_samples, n_targets); returns ``self``."""
        # imported here: regbook.np.linear re-exports these estimators
        from regbook.np.linear import ridge

        name = type(self).__name__
        alpha = check_scalar(self.alpha, "alpha", name, min_val=0.0, max_val=math.inf, closed="left")
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept", name)
        X = _check_X(self, X, f"{name}.fit", reset=True)
        y = _check_y(self, y, f"{name}.fit", multi_output=True)
        check_consistent_length(f"{name}.fit", X=X, y=y)
        res = ridge(X, y, alpha=alpha, fit_intercept=fit_intercept)
        self.coef_, self.intercept_, self.solver_ = res.coef, res.intercept, res.solver
        self.n_iter_ = None  # closed form
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # y of shape (n_samples, n_targets) is supported
        return tags


class ElasticNet(_LinearRegressor):
    r"""Linear regression with an elastic-net penalty, by coordinate descent.

    .. math::

        \min_{w, b}\ \frac{1}{2n}\lVert y - Xw - b\mathbf 1\rVert_2^2
        + \alpha\rho\lVert w\rVert_1 + \frac{\alpha(1-\rho)}{2}\lVert w\rVert_2^2

    scikit-learn's ``ElasticNet`` objective; fitted by
    :func:`regbook.np.coordinate_descent.elastic_net`. Converged when the duality gap
    is at most ``tol`` :math:`\cdot\lVert y - \bar y\rVert^2/n`; otherwise a
    :class:`~regbook.ConvergenceWarning` names ``max_iter`` and ``tol``.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength :math:`\alpha \ge 0`.
    l1_ratio : float, default=0.5
        Mixing :math:`\rho \in [0, 1]`: 1 is the lasso, 0 a ridge penalty.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept :math:`b`.
    max_iter : int, default=1000
        Largest number of coordinate-descent sweeps.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    precompute : {"auto", True, False}, default="auto"
        Use the Gram matrix :math:`X^\top X` (see ``elastic_net``).
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    dual_gap_ : float
        Final duality gap, on the scale of the objective above.
    n_features_in_ : int

    Examples
    --------
    One feature with :math:`\lVert x_c\rVert^2/n = 1` and :math:`x_c^\top y_c/n = 2`:
    :math:`w = (2 - \alpha\rho)/(1 + \alpha(1-\rho))`.

    >>> model = ElasticNet(alpha=1.0, l1_ratio=0.5).fit([[1.0], [-1.0]], [2.0, -2.0])
    >>> round(float(model.coef_[0]), 6)
    1.0
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, max_iter=1000, tol=1e-4,
                 precompute="auto", warm_start=False):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.precompute = precompute
        self.warm_start = warm_start

    def fit(self, X, y):
        """Fit the model to X of shape (n_samples, n_features) and y of shape (n_samples,);
        returns ``self``."""
        name = type(self).__name__
        check_scalar(self.alpha, "alpha", name, min_val=0.0, max_val=math.inf, closed="left")
        check_scalar(self.l1_ratio, "l1_ratio", name, min_val=0.0, max_val=1.0)
        warm_start = check_bool(self.warm_start, "warm_start", name)
        X = _check_X(self, X, f"{name}.fit", reset=True)
        y = _check_y(self, y, f"{name}.fit", multi_output=False)
        check_consistent_length(f"{name}.fit", X=X, y=y)
        coef_init = None
        if warm_start and getattr(self, "coef_", np.empty(0)).shape == (X.shape[1],):
            coef_init = self.coef_
        # elastic_net validates the remaining settings and warns, in this estimator's name
        res = elastic_net(X, y, alpha=self.alpha, l1_ratio=self.l1_ratio,
                          fit_intercept=self.fit_intercept, max_iter=self.max_iter, tol=self.tol,
                          coef_init=coef_init, precompute=self.precompute, _caller=name)
        self.coef_, self.intercept_ = res.coef, res.intercept
        self.n_iter_, self.dual_gap_ = res.n_iter, res.dual_gap
        return self


class Lasso(ElasticNet):
    r"""Linear regression with an L1 penalty: an :class:`ElasticNet` with ``l1_ratio=1``.

    .. math::

        \min_{w, b}\ \frac{1}{2n}\lVert y - Xw - b\mathbf 1\rVert_2^2 + \alpha\lVert w\rVert_1

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength :math:`\alpha \ge 0`.
    fit_intercept, max_iter, tol, precompute, warm_start
        As in :class:`ElasticNet`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    dual_gap_ : float
    n_features_in_ : int

    Examples
    --------
    :math:`w = \operatorname{sign}(c)\max(|c| - \alpha, 0)` for one standardized feature:

    >>> model = Lasso(alpha=0.5).fit([[1.0], [-1.0]], [2.0, -2.0])   # c = 2
    >>> round(float(model.coef_[0]), 6)
    1.5
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, max_iter=1000, tol=1e-4,
                 precompute="auto", warm_start=False):
        super().__init__(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept, max_iter=max_iter,
                         tol=tol, precompute=precompute, warm_start=warm_start)


# --------------------------------------------------------------------------- classifier
class LogisticRegression(ClassifierMixin, BaseEstimator):
    r"""Penalized logistic regression (binary or multinomial), by FISTA.

    .. math::

        \min_{W, b}\ C \sum_{i=1}^n \ell_i(W, b)
        + \rho\,\lVert W\rVert_1 + \frac{1-\rho}{2}\lVert W\rVert_F^2

    scikit-learn's ``LogisticRegression(C, l1_ratio)`` objective (log-loss
    :math:`\ell_i` with the sigmoid for two classes, the softmax for more); fitted
    by :func:`regbook.np.logistic.logistic_regression`.

    Parameters
    ----------
    C : float, default=1.0
        Inverse penalty strength :math:`C > 0`.
    l1_ratio : float, default=0.0
        Mixing :math:`\rho \in [0, 1]`: 0 is the L2 penalty, 1 the L1 penalty.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    max_iter : int, default=1000
        Largest number of FISTA steps.
    tol : float, default=1e-6
        Tolerance on the optimality violation (see ``logistic_regression``).

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    classes_ : ndarray of shape (n_classes,)
    n_iter_ : int
    n_features_in_ : int

    Examples
    --------
    >>> X = [[-2.0], [-1.0], [1.0], [2.0]]
    >>> model = LogisticRegression().fit(X, ["no", "no", "yes", "yes"])
    >>> model.predict([[-3.0], [3.0]]).tolist(), round(float(model.predict_proba([[0.0]])[0, 1]), 4)
    (['no', 'yes'], 0.5)
    """

    def __init__(self, C=1.0, *, l1_ratio=0.0, fit_intercept=True, max_iter=1000, tol=1e-6):
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y):
        """Fit the model to X of shape (n_samples, n_features) and labels y of shape
        (n_samples,); returns ``self``."""
        name = type(self).__name__
        check_scalar(self.C, "C", name, min_val=0.0, max_val=math.inf, closed="neither")
        check_scalar(self.l1_ratio, "l1_ratio", name, min_val=0.0, max_val=1.0)
        X = _check_X(self, X, f"{name}.fit", reset=True)
        y = _check_labels(self, y, f"{name}.fit")
        check_consistent_length(f"{name}.fit", X=X, y=y)
        # logistic_regression validates the remaining settings and warns, in this estimator's name
        res = logistic_regression(X, y, C=self.C, l1_ratio=self.l1_ratio,
                                  fit_intercept=self.fit_intercept, max_iter=self.max_iter,
                                  tol=self.tol, _caller=name)
        self.coef_, self.intercept_, self.classes_ = res.coef, res.intercept, res.classes
        self.n_iter_ = res.n_iter
        return self

    def decision_function(self, X):
        """Scores :math:`XW^\\top + b`: shape (n_samples,) for two classes (positive for
        ``classes_[1]``), (n_samples, n_classes) otherwise."""
        check_is_fitted(self)
        X = _check_X(self, X, f"{type(self).__name__}.decision_function", reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Most probable class of each row of X, shape (n_samples,)."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns in the order of ``classes_``."""
        check_is_fitted(self)
        X = _check_X(self, X, f"{type(self).__name__}.predict_proba", reset=False)
        return predict_proba(X, self.coef_, self.intercept_)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed from the scores without underflow."""
        scores = self.decision_function(X)
        if scores.ndim == 1:  # log sigma(z) = -log(1 + e^{-z}), log(1 - sigma(z)) = -log(1 + e^z)
            return -np.logaddexp(0.0, -np.column_stack([-scores, scores]))
        z_max = scores.max(axis=1, keepdims=True)
        return scores - z_max - np.log(np.sum(np.exp(scores - z_max), axis=1, keepdims=True))
