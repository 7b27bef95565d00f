# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# (ch-tabular)=
# # Tabular prediction: medical, financial and time-series data
#
# Tables of numbers (表格数据) are where penalized linear models earn their living: a few hundred patients
# with thirty measurements each, three decades of monthly stock prices, ten seconds of a brain recording.
# This chapter applies the tools of {doc}`ch02_ridge`, {doc}`ch03_lasso`, {doc}`ch04_elastic_net` and
# {doc}`ch05_choosing_lambda` to three kinds of real, offline data, and compares no regularization with
# L2 (ridge) {cite}`hoerl1970ridge`, L1 (lasso) {cite}`tibshirani1996regression` and their combination, the
# elastic net {cite}`zou2005regularization`, always with the penalty chosen by cross-validation on training
# data only and the test data used once.
#
# Source 004 (§3.4) lists "medical prediction" (医学预测), "financial prediction" (金融预测) and "time-series
# forecasting" (时间序列预测) as application areas with one identical sentence each: regularization
# "缓解过拟合问题，提高模型泛化能力" (mitigates overfitting and improves generalization). The measurements
# below make that sentence specific, and in two places correct it: on a medical table with ten features
# regularization changes almost nothing; on stock returns it cannot create predictability that is not
# there, and its real job is to keep the model from losing to the simplest forecast. Time series add a
# problem the sources never mention: the usual shuffled K-fold cross-validation can score a model on rows
# that are entangled with its training rows.

# %%
import warnings

import matplotlib.cbook as cbook
import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue
from sklearn import datasets
from sklearn import linear_model as sk_linear
from sklearn.metrics import r2_score
from sklearn.model_selection import TimeSeriesSplit

import regbook
from regbook import ConvergenceWarning, checks
from regbook.data import Standardizer, load_dataset
from regbook.np.coordinate_descent import lasso_path
from regbook.np.cross_validation import cross_val_grid, kfold_indices, log_grid
from regbook.np.estimators import ElasticNet, Lasso, LogisticRegression, Ridge
from regbook.np.model_selection import one_se_rule
from regbook.np.path_cv import lasso_cv
from regbook.np.time_series import forward_chaining_splits, lag_matrix, oos_r2

rng = regbook.nbsetup(seed=0)
SEEDS = range(5)


def mean_std(values):
    """Mean and standard deviation (ddof=1) of a list, as Python floats."""
    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1))


def print_table(header, rows):
    """A plain-text table: a header row, then one row per model."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def pm(values, digits=3):
    """'mean ± std' over seeds, as text for a table."""
    m, s = mean_std(values)
    return f"{m:.{digits}f} ± {s:.{digits}f}"


# %% [markdown]
# ## Why: a model that explains the past and loses on the future
#
# Over thirty years of monthly prices of seven series (five stocks, the S&P 500 and the Nasdaq index) ship with
# matplotlib. We ask a linear regression to predict next month's S&P 500 log return from the last twelve
# monthly returns of all seven series: 84 features, fitted by ordinary least squares on the first 270 months
# and scored on the months that follow (up to June 2022). The score is the out-of-sample $R^2$ against the
# simplest forecast there is, the average return of the training months {eq}`eq-tab-oos-r2`: above zero the
# model beats the average, below zero it loses to it.

# %%
def load_stocks():
    """Monthly adjusted prices from matplotlib's Stocks.csv: dates, names, (n_months, n_series) prices."""
    path = cbook.get_sample_data("Stocks.csv", asfileobj=False)
    raw = np.genfromtxt(path, delimiter=",", names=True, dtype=None, skip_header=1, encoding="utf-8",
                        missing_values="", filling_values=np.nan)
    prices = np.column_stack([raw[n] for n in raw.dtype.names[1:]]).astype(float)
    with open(path, encoding="utf-8") as f:
        names = f.readlines()[1].strip().split(",")[1:]        # genfromtxt drops the '^' of ^GSPC
    dates = raw["Date"].astype(str)
    # rows with no price at all are placeholders; the last row repeats June 2022 on the 28th
    keep = ~np.isnan(prices).all(axis=1) & np.char.endswith(dates, "-01")
    return dates[keep], names, prices[keep]


dates, stock_names, prices = load_stocks()
complete = [j for j in range(len(stock_names)) if not np.isnan(prices[:, j]).any()]
returns = np.diff(np.log(prices[:, complete]), axis=0)          # (n_months - 1, 7) monthly log returns
series_names = [stock_names[j] for j in complete]
GSPC = series_names.index("^GSPC")
path_csv = cbook.get_sample_data("Stocks.csv", asfileobj=False)
n_placeholders = sum(1 for line in open(path_csv, encoding="utf-8").read().splitlines()[2:]
                     if set(line.split(",")[1:]) == {""})
late_start = {n: dates[np.flatnonzero(~np.isnan(prices[:, stock_names.index(n)]))[0]][:7]
              for n in ("AMZN", "GOOGL", "DELL")}
assert dates[0] == "1990-01-01" and dates[-1] == "2022-06-01" and len(series_names) == 7
assert late_start == {"AMZN": "1997-06", "GOOGL": "2004-09", "DELL": "2016-09"}
glue("ch14_fin_placeholders", n_placeholders, display=False)
glue("ch14_fin_n_returns", len(returns), display=False)

why = lag_matrix(returns, 12)
n_fit = 270
ols = Ridge(alpha=0.0).fit(why.X[:n_fit], why.y[:n_fit, GSPC])
mean_forecast = why.y[:n_fit, GSPC].mean()
r2_in = oos_r2(why.y[:n_fit, GSPC], ols.predict(why.X[:n_fit]), mean_forecast)
r2_out = oos_r2(why.y[n_fit:, GSPC], ols.predict(why.X[n_fit:]), mean_forecast)
print(f"{why.X.shape[1]} features, {n_fit} training months, {len(why.y) - n_fit} test months")
print(f"R^2 on the training months: {r2_in:.3f}; out-of-sample R^2 on the later months: {r2_out:.3f}")
assert r2_in > 0.2 and r2_out < -0.1
glue("ch14_why_r2_in", round(r2_in, 4), display=False)
glue("ch14_why_r2_out", round(r2_out, 4), display=False)

# %% [markdown]
# The least-squares fit "explains" {glue:text}`ch14_why_r2_in` of the variance of the months it was fitted
# on and has an out-of-sample $R^2$ of {glue:text}`ch14_why_r2_out` on the months that followed: it would
# have done better by predicting the average. Eighty-four coefficients estimated from 270 noisy months fit
# the noise. This chapter measures what ridge, lasso and elastic net do about it here and on two medical
# tables, and how to validate them when the rows are ordered in time.
#
# ## Theory: the models, the scores and the splits
#
# All models are regbook's, with scikit-learn's objectives ({doc}`ch02_ridge`, {doc}`ch04_elastic_net`).
# For regression, with standardized features,
#
# $$
# \min_{w,b}\ \frac{1}{2n}\lVert y - Xw - b\mathbf 1\rVert_2^2 + \alpha\rho\lVert w\rVert_1
#   + \frac{\alpha(1-\rho)}{2}\lVert w\rVert_2^2 ,
# $$ (eq-tab-enet)
#
# with $\rho = 1$ for the lasso and $\rho = 1/2$ for the elastic net here; ridge uses
# $\lVert y - Xw - b\mathbf 1\rVert^2 + \alpha\lVert w\rVert^2$. For two classes, penalized logistic
# regression minimizes
#
# $$
# C\sum_{i=1}^n \Bigl[\log\bigl(1 + e^{x_i^\top w + b}\bigr) - y_i\,(x_i^\top w + b)\Bigr]
#   + \rho\lVert w\rVert_1 + \frac{1-\rho}{2}\lVert w\rVert_2^2 ,
# $$ (eq-tab-logistic)
#
# so a *small* $C$ is a *strong* penalty. "No regularization" is $\alpha = 0$ for regression and a huge
# $C$ for classification. Intercepts are never penalized.
#
# **Time series as regression.** An autoregressive model of order $p$, AR($p$), predicts the value $h$
# steps ahead from the last $p$ values {cite}`hyndman2021forecasting`:
#
# $$
# y_{t+h-1} = b + \sum_{k=1}^{p} w_k\,y_{t-k} + \varepsilon_t .
# $$ (eq-tab-ar)
#
# Once the lagged values are the columns of a matrix (`lag_matrix`), {eq}`eq-tab-ar` is a linear
# regression and {eq}`eq-tab-enet` applies; with several series, the lags of all of them are columns.
# With $h > 1$ (a *direct* multi-step forecast) consecutive targets are less than $h$ steps apart and
# share the shocks between them, so the errors $\varepsilon_t$ of neighbouring rows are correlated: for a
# linear process they form a moving average of order $h-1$, uncorrelated only beyond lag $h-1$.
#
# **Scores.** Forecasts are compared with a benchmark forecast $\bar y_t$ (the training mean) through the
# out-of-sample $R^2$ {cite}`campbell2008predicting`:
#
# $$
# R^2_{\text{OS}} = 1 - \frac{\sum_t (y_t - \hat y_t)^2}{\sum_t (y_t - \bar y_t)^2} .
# $$ (eq-tab-oos-r2)
#
# It is not bounded below: a model that is worse than the benchmark has $R^2_{\text{OS}} < 0$. The
# classifiers are scored by test accuracy and by the log-loss (cross-entropy) of their predicted
# probabilities, which punishes confident mistakes that accuracy does not see.
#
# **Stability of a selected set.** The lasso's selected features $S_a, S_b$ on two resamples are compared
# by the Jaccard index $J(S_a, S_b) = |S_a\cap S_b| / |S_a \cup S_b|$ (1: the same set; 0: disjoint),
# averaged over all pairs of resamples, a common measure of the stability of feature selection
# {cite}`kalousis2007stability`.
#
# **Validation that respects time.** K-fold cross-validation shuffles the rows, so a validation row's
# neighbours in time (whose features overlap its features and whose errors may be correlated with its error)
# are in the training folds. Forward chaining, also called evaluation on a rolling origin
# {cite}`tashman2000out,hyndman2021forecasting`, trains only on the past:
#
# $$
# V_j = \{s_j, \dots, s_j + m - 1\},\quad T_j = \{0, \dots, s_j - g - 1\},\quad
# s_j = n - (J - j)\,m,\quad j = 0,\dots,J-1 ,
# $$ (eq-tab-forward-chaining)
#
# with $J$ validation blocks of $m$ rows that end at the last row and a gap of $g$ rows left out between
# each training set and its block. Bergmeir, Hyndman and Koo {cite}`bergmeir2018note` proved that for a
# purely autoregressive model whose errors are uncorrelated, ordinary K-fold cross-validation is
# nevertheless valid; it fails when the errors are correlated, as they are for $h > 1$ or for a model that
# is too small. Both cases are measured in the {ref}`time-series part <ch14-time-series>`.
#
# ### The formulas, checked
#
# The next cell checks `lag_matrix` against a direct loop over {eq}`eq-tab-ar`, the splits
# {eq}`eq-tab-forward-chaining` against scikit-learn's `TimeSeriesSplit`, and {eq}`eq-tab-oos-r2` against
# scikit-learn's $R^2$, which it equals when the benchmark is the mean of the test outcomes.

# %%
series = rng.standard_normal(30)
lm = lag_matrix(series, 4, horizon=2)
loop_X = np.array([[series[t - k] for k in range(1, 5)] for t in range(4, 30 - 1)])
loop_y = np.array([series[t + 1] for t in range(4, 30 - 1)])
assert np.array_equal(lm.X, loop_X) and np.array_equal(lm.y, loop_y)

ours = forward_chaining_splits(100, n_splits=5, min_train=20, gap=3, test_size=12)
theirs = list(TimeSeriesSplit(n_splits=5, test_size=12, gap=3).split(np.zeros(100)))
same_splits = all(np.array_equal(a, c) and np.array_equal(b, d) for (a, b), (c, d) in zip(ours, theirs))
print("forward_chaining_splits == TimeSeriesSplit:", same_splits)
print("first split: train", ours[0][0][[0, -1]].tolist(), "validate", ours[0][1][[0, -1]].tolist())

y_demo, f_demo = rng.standard_normal((2, 40))
r2_err = abs(oos_r2(y_demo, f_demo, np.full(40, y_demo.mean())) - r2_score(y_demo, f_demo))
print("R^2_OS with the test mean as benchmark vs sklearn's r2_score:", checks.error_bound(r2_err))
assert same_splits and r2_err < 1e-12

# %% [markdown]
# The errors of a direct $h$-step forecast are claimed above to be correlated up to lag $h-1$ and not
# beyond. On a simulated AR(1) series with coefficient $0.8$ the optimal 3-step forecast is $0.8^3 y_{t-1}$,
# and its error $\varepsilon_t + 0.8\varepsilon_{t-1} + 0.64\varepsilon_{t-2}$ has autocorrelations
# $(0.8 + 0.512)/(1 + 0.64 + 0.4096) = 0.640$ at lag 1, $0.64/2.0496 = 0.312$ at lag 2 and $0$ from lag 3 on.

# %%
phi, n_sim = 0.8, 200_000
shocks = rng.standard_normal(n_sim)
ar1 = np.zeros(n_sim)
for t in range(1, n_sim):
    ar1[t] = phi * ar1[t - 1] + shocks[t]
lm3 = lag_matrix(ar1, 1, horizon=3)
resid3 = lm3.y - phi ** 3 * lm3.X[:, 0]
acf = [float(np.corrcoef(resid3[:-k], resid3[k:])[0, 1]) for k in (1, 2, 3)]
theory = [(phi + phi ** 3) / (1 + phi ** 2 + phi ** 4), phi ** 2 / (1 + phi ** 2 + phi ** 4), 0.0]
print("autocorrelation of 3-step errors at lags 1, 2, 3:", np.round(acf, 3), "theory:", np.round(theory, 3))
assert np.allclose(acf, theory, atol=0.01)

# %% [markdown]
# ## From scratch: `regbook.np.time_series`
#
# The lasso, ridge, elastic-net and logistic solvers were built and tested in earlier chapters. Time series
# need three small functions. `lag_matrix` lays a series out as {eq}`eq-tab-ar`:

# %%
regbook.show_source(lag_matrix)

# %% [markdown]
# `forward_chaining_splits` returns the (train, validation) index pairs of {eq}`eq-tab-forward-chaining`.
# They can be passed as `folds=` to `cross_val_grid` and `lasso_cv` from {doc}`ch05_choosing_lambda`, so
# the penalty is chosen on the past only:

# %%
regbook.show_source(forward_chaining_splits)

# %% [markdown]
# and `oos_r2` is {eq}`eq-tab-oos-r2`:

# %%
regbook.show_source(oos_r2)

# %% [markdown]
# **Parity with scikit-learn.** regbook's estimators follow scikit-learn's objectives, so the same data and
# penalty give the same coefficients. On the diabetes data used below:

# %%
diab = load_dataset("diabetes", seed=0)
ours_lasso = Lasso(alpha=0.5, tol=1e-10, max_iter=10_000).fit(diab.X_train, diab.y_train)
sk_lasso = sk_linear.Lasso(alpha=0.5, tol=1e-10, max_iter=10_000).fit(diab.X_train, diab.y_train)
ours_logit = LogisticRegression(C=0.5, tol=1e-10, max_iter=20_000)
bc0 = load_dataset("breast_cancer", seed=0)
ours_logit.fit(bc0.X_train, bc0.y_train)
sk_logit = sk_linear.LogisticRegression(C=0.5, tol=1e-10, max_iter=20_000).fit(bc0.X_train, bc0.y_train)
err_lasso = checks.rel_error(ours_lasso.coef_, sk_lasso.coef_)
err_logit = checks.rel_error(ours_logit.coef_, sk_logit.coef_)
print("lasso coefficients, regbook vs scikit-learn: relative error", checks.error_bound(err_lasso, floor=1e-6))
print("L2 logistic coefficients, regbook vs scikit-learn: relative error", checks.error_bound(err_logit, floor=1e-4))
assert err_lasso < 1e-6 and err_logit < 1e-4

# %% [markdown]
# The objectives {eq}`eq-tab-enet` and {eq}`eq-tab-logistic` as written, checked through their optimality
# conditions at regbook's elastic-net solutions ($\rho = 1/2$): the gradient of the smooth part is
# $-\rho\alpha\,\mathrm{sign}(w_j)$ (resp. $-\rho\,\mathrm{sign}(w_j)$) on the nonzero coefficients, at most
# $\rho\alpha$ (resp. $\rho$) in absolute value on the zero ones, and zero for the unpenalized intercept; for
# ridge, $X^\top(y - Xw - b\mathbf 1) = \alpha w$.

# %%
def kkt_violation(grad_smooth, w, l1):
    """Largest violation of the optimality conditions of smooth(w) + l1 * ||w||_1."""
    nz = w != 0
    return max(np.abs(grad_smooth[nz] + l1 * np.sign(w[nz])).max(initial=0.0),
               (np.abs(grad_smooth[~nz]) - l1).max(initial=0.0))


X_d, y_d = diab.X_train, diab.y_train
enet_d = ElasticNet(alpha=0.5, l1_ratio=0.5, tol=1e-12, max_iter=100_000).fit(X_d, y_d)
res_d = y_d - X_d @ enet_d.coef_ - enet_d.intercept_
viol_enet = max(kkt_violation(-X_d.T @ res_d / len(y_d) + 0.5 * 0.5 * enet_d.coef_, enet_d.coef_, 0.5 * 0.5),
                abs(res_d.mean()))
ridge_d = Ridge(alpha=10.0).fit(X_d, y_d)
res_r = y_d - X_d @ ridge_d.coef_ - ridge_d.intercept_
viol_ridge = checks.rel_error(X_d.T @ res_r, 10.0 * ridge_d.coef_)
X_b, y_b = bc0.X_train, bc0.y_train
logit_en = LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-10, max_iter=20_000).fit(X_b, y_b)
z = X_b @ logit_en.coef_[0] + logit_en.intercept_[0]
dz = 0.5 * (1 / (1 + np.exp(-z)) - y_b)                       # C (sigmoid(z) - y), derivative of the loss in z
viol_logit = max(kkt_violation(X_b.T @ dz + 0.5 * logit_en.coef_[0], logit_en.coef_[0], 0.5), abs(dz.sum()))
print("optimality conditions, elastic net (diabetes):", checks.error_bound(viol_enet, floor=1e-6),
      "| ridge:", checks.error_bound(viol_ridge, floor=1e-10), "| elastic-net logistic (breast cancer):",
      checks.error_bound(viol_logit, floor=1e-6), f"| zero coefficients: {int(np.sum(enet_d.coef_ == 0))} "
      f"and {int(np.sum(logit_en.coef_ == 0))}")
assert viol_enet < 1e-6 and viol_ridge < 1e-10 and viol_logit < 1e-6

# %% [markdown]
# ## Medical data 1: breast cancer diagnosis with penalized logistic regression
#
# The Wisconsin diagnostic breast cancer data {cite}`street1993nuclear` describe 569 fine-needle aspirates
# of breast masses by 30 measurements of their cell nuclei (radius, texture, perimeter, area, smoothness...,
# each as a mean, a standard error and a "worst" value); the label is malignant (0) or benign (1). Many of
# the 30 features are nearly collinear (radius, perimeter and area measure the same size three ways).
#
# **Protocol.** For each of five seeds, `load_dataset` makes a stratified split; training and validation
# parts together (80 %) are the training data, standardized with their own statistics, and the 20 % test
# part is used once. On the training data, 4-fold stratified cross-validation chooses $C$ from a grid of 6
# values between $10^{-2}$ and $10^{1/2}$ for each penalty: L2 ($\rho = 0$), L1 ($\rho = 1$) and the elastic net
# ($\rho = 1/2$). The cross-validation score is the Brier score, the mean squared error of the predicted
# probability, a proper scoring rule that, unlike the error rate, still ranks models that make the same
# number of mistakes. For the L1 penalty we also apply the one-standard-error rule
# {cite}`hastie2009elements`, which picks the smallest $C$ (the sparsest model) whose score is within one
# standard error of the best. The unpenalized model is approximated by $C = 10^4$.

# %%
class ProbabilityModel(LogisticRegression):
    """regbook's LogisticRegression whose predict() returns P(y = 1), so that CV's "mse" is the Brier score."""

    def predict(self, X):
        return self.predict_proba(X)[:, 1]


def log_loss(y, p):
    """Mean cross-entropy of predicted probabilities p of class 1."""
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


bc_names = datasets.load_breast_cancer().feature_names
C_GRID = log_grid(1e-2, 10 ** 0.5, 6)
BC_MODELS = {"L2": 0.0, "L1": 1.0, "elastic net": 0.5}
bc = {name: {"acc": [], "loss": [], "support": [], "C": []} for name in
      ["none", "L2", "L1", "L1 (1-SE)", "elastic net"]}


def record(name, model, X_test, y_test):
    bc[name]["acc"].append(float(np.mean(model.predict(X_test) == y_test)))
    bc[name]["loss"].append(log_loss(y_test, model.predict_proba(X_test)[:, 1]))
    bc[name]["support"].append(frozenset(np.flatnonzero(model.coef_[0]).tolist()))
    bc[name]["C"].append(float(model.C))


for seed in SEEDS:
    s = load_dataset("breast_cancer", seed=seed, standardize=False)
    X_raw, y_tr = np.vstack([s.X_train, s.X_val]), np.concatenate([s.y_train, s.y_val])
    scaler = Standardizer().fit(X_raw)
    X_tr, X_te = scaler.transform(X_raw), scaler.transform(s.X_test)
    folds = kfold_indices(len(y_tr), k=4, rng=seed, stratify=y_tr)
    with warnings.catch_warnings():
        # C = 1e4 stops at max_iter (its optimum is far out); a few CV fits at large C stop at max_iter=500
        warnings.simplefilter("ignore", ConvergenceWarning)
        record("none", LogisticRegression(C=1e4, max_iter=2000).fit(X_tr, y_tr), X_te, s.y_test)
        for name, rho in BC_MODELS.items():
            cv = cross_val_grid(ProbabilityModel(l1_ratio=rho, tol=1e-4, max_iter=500), X_tr, y_tr,
                                param_name="C", values=C_GRID, folds=folds)
            fit = LogisticRegression(C=cv.best_value, l1_ratio=rho, tol=1e-4, max_iter=500).fit(X_tr, y_tr)
            record(name, fit, X_te, s.y_test)
            if name == "L1":
                C_1se = float(C_GRID[one_se_rule(C_GRID, cv.mean, cv.se, prefer="smallest")])
                fit = LogisticRegression(C=C_1se, l1_ratio=1.0, tol=1e-4, max_iter=500).fit(X_tr, y_tr)
                record("L1 (1-SE)", fit, X_te, s.y_test)


def jaccard_stability(supports):
    """Mean Jaccard index |A ∩ B| / |A ∪ B| over all pairs of selected sets."""
    pairs = [(a, b) for i, a in enumerate(supports) for b in supports[i + 1:]]
    return float(np.mean([len(a & b) / len(a | b) for a, b in pairs]))


rows = [[name, pm(r["acc"]), pm(r["loss"]), pm([len(S) for S in r["support"]], 1),
         f"{jaccard_stability(r['support']):.2f}"] for name, r in bc.items()]
print_table(["penalty", "test accuracy", "test log-loss", "features used", "Jaccard stability"], rows)

# %% [markdown]
# The next cell checks what the table shows, split by split where it matters.

# %%
loss = {name: np.array(r["loss"]) for name, r in bc.items()}
acc = {name: mean_std(r["acc"]) for name, r in bc.items()}
n_feat = {name: mean_std([len(S) for S in r["support"]]) for name, r in bc.items()}
stab = {name: jaccard_stability(r["support"]) for name, r in bc.items()}
penalized = ["L2", "L1", "L1 (1-SE)", "elastic net"]
assert all((loss[name] < loss["none"]).all() for name in penalized)          # every split
tuned_acc = [acc[name][0] for name in ["L2", "L1", "elastic net"]]
assert max(tuned_acc) - min(tuned_acc) < min(acc[name][1] for name in ["L2", "L1", "elastic net"])
assert acc["none"][0] < min(tuned_acc)
assert n_feat["L1 (1-SE)"][0] < n_feat["L1"][0] < n_feat["elastic net"][0] < 30
assert stab["L1"] < stab["elastic net"] - 0.1
glue("ch14_bc_loss_none", round(float(loss["none"].mean()), 4), display=False)
glue("ch14_bc_loss_l2", round(float(loss["L2"].mean()), 4), display=False)
glue("ch14_bc_acc_none", round(acc["none"][0], 4), display=False)
glue("ch14_bc_acc_l2", round(acc["L2"][0], 4), display=False)
glue("ch14_bc_acc_std_l2", round(acc["L2"][1], 4), display=False)
glue("ch14_bc_feat_l1", round(n_feat["L1"][0], 4), display=False)
glue("ch14_bc_feat_1se", round(n_feat["L1 (1-SE)"][0], 4), display=False)
glue("ch14_bc_feat_enet", round(n_feat["elastic net"][0], 4), display=False)
glue("ch14_bc_stab_l1", round(stab["L1"], 4), display=False)
glue("ch14_bc_stab_enet", round(stab["elastic net"], 4), display=False)
glue("ch14_bc_acc_1se", round(acc["L1 (1-SE)"][0], 4), display=False)
n_test_bc = len(load_dataset("breast_cancer", seed=0).y_test)
glue("ch14_bc_n_test", n_test_bc, display=False)
glue("ch14_bc_one_mistake", round(1 / n_test_bc, 4), display=False)

# %% [markdown]
# **What we learned (breast cancer).**
#
# - *Penalizing matters most for the probabilities.* The nearly unpenalized model has a mean test log-loss
#   of {glue:text}`ch14_bc_loss_none`, every penalized model a lower one on every split (L2:
#   {glue:text}`ch14_bc_loss_l2`). Without a penalty the coefficients of nearly separable, collinear
#   features grow until the predicted probabilities are 0 or 1, and the few mistakes are made with full
#   confidence. Accuracy hides most of this: {glue:text}`ch14_bc_acc_none` without and
#   {glue:text}`ch14_bc_acc_l2` with the L2 penalty.
# - *Which penalty hardly matters for accuracy.* L2, L1 and the elastic net are within one standard deviation
#   over the splits of each other (L2: {glue:text}`ch14_bc_acc_l2` ± {glue:text}`ch14_bc_acc_std_l2`). On
#   {glue:text}`ch14_bc_n_test` test cases one mistake is {glue:text}`ch14_bc_one_mistake` of accuracy, so
#   differences of one or two mistakes are noise.
# - *The L1 model is sparse, but its choice of features is not stable.* It uses
#   {glue:text}`ch14_bc_feat_l1` of the 30 features on average, the one-SE rule
#   {glue:text}`ch14_bc_feat_1se` (accuracy {glue:text}`ch14_bc_acc_1se`), but the mean Jaccard index between
#   the sets chosen on different splits is only {glue:text}`ch14_bc_stab_l1`: among collinear features (the
#   radius, perimeter and area of a nucleus), the lasso picks one more or less arbitrarily
#   {cite}`zou2005regularization`. The elastic net keeps groups of correlated features together: it uses more
#   ({glue:text}`ch14_bc_feat_enet`) and its sets are more stable ({glue:text}`ch14_bc_stab_enet`). A selected
#   feature is a statement about this sample, not about biology; the figure shows which features survive
#   which splits. If a stable, small set is the goal, stability selection {cite}`meinshausen2010stability`
#   resamples on purpose and keeps only the features chosen most of the time.

# %%
freq = {name: np.bincount([j for S in bc[name]["support"] for j in S], minlength=30) / len(SEEDS)
        for name in ["L1", "L1 (1-SE)", "elastic net"]}
order = np.argsort(-(freq["L1"] + freq["elastic net"] / 10), kind="stable")
fig, ax = plt.subplots(figsize=(9, 6.5))
for i, (name, f) in enumerate(freq.items()):
    ax.barh(np.arange(30) + (i - 1) * 0.27, f[order], height=0.27, label=name)
ax.set_yticks(np.arange(30), [bc_names[j] for j in order], fontsize=7)
ax.invert_yaxis()
ax.set_xlabel(f"fraction of the {len(SEEDS)} splits in which the feature is selected")
ax.set_title("Breast cancer: which features the L1 and elastic-net models keep")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Medical data 2: disease progression in diabetes
#
# The diabetes data {cite}`efron2004least` record, for 442 patients, age, sex, body-mass index (bmi), mean
# blood pressure (bp) and six blood serum measurements (s1 to s6), and as target a quantitative measure of
# disease progression one year later. Ten features for 442 patients: a table with far more rows than columns.
# The protocol is the one above, with 5-fold cross-validation of the mean squared error (ridge by
# `cross_val_grid` on 25 values of $\alpha$, lasso and elastic net by `lasso_cv` along a path of 50 values),
# and the test $R^2$ as score. Features are in their raw units, standardized with training statistics.

# %%
diab_names = datasets.load_diabetes().feature_names
ALPHA_RIDGE = log_grid(1e-2, 1e4, 25)
dia = {name: {"r2": [], "support": []} for name in ["none (OLS)", "ridge", "lasso", "lasso (1-SE)", "elastic net"]}
for seed in SEEDS:
    s = load_dataset("diabetes", seed=seed, standardize=False)
    X_raw, y_tr = np.vstack([s.X_train, s.X_val]), np.concatenate([s.y_train, s.y_val])
    scaler = Standardizer().fit(X_raw)
    X_tr, X_te = scaler.transform(X_raw), scaler.transform(s.X_test)
    folds = kfold_indices(len(y_tr), k=5, rng=seed)
    cv_ridge = cross_val_grid(Ridge(), X_tr, y_tr, param_name="alpha", values=ALPHA_RIDGE, folds=folds)
    cv_lasso = lasso_cv(X_tr, y_tr, n_alphas=50, folds=folds)
    cv_enet = lasso_cv(X_tr, y_tr, n_alphas=50, folds=folds, l1_ratio=0.5)
    fitted = {"none (OLS)": Ridge(alpha=0.0), "ridge": Ridge(alpha=cv_ridge.best_value),
              "lasso": Lasso(alpha=cv_lasso.alpha_min), "lasso (1-SE)": Lasso(alpha=cv_lasso.alpha_1se),
              "elastic net": ElasticNet(alpha=cv_enet.alpha_min, l1_ratio=0.5)}
    for name, model in fitted.items():
        model.fit(X_tr, y_tr)
        dia[name]["r2"].append(r2_score(s.y_test, model.predict(X_te)))
        dia[name]["support"].append(frozenset(np.flatnonzero(model.coef_).tolist()))
    if seed == 0:
        path0, cv0 = lasso_path(X_tr, y_tr, n_alphas=100), cv_lasso
n_rows_dia = len(y_tr)                  # training patients (training + validation parts), every split

rows = [[name, pm(r["r2"]), pm([len(S) for S in r["support"]], 1)] for name, r in dia.items()]
print_table(["model", "test R^2", "features used"], rows)
for name in ["lasso", "lasso (1-SE)"]:
    dropped = np.bincount([j for S in dia[name]["support"] for j in set(range(10)) - S], minlength=10)
    print(f"{name}: features dropped (in how many of the {len(SEEDS)} splits):",
          ", ".join(f"{diab_names[j]} ({dropped[j]})" for j in np.argsort(-dropped, kind="stable") if dropped[j]))

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
for j in range(10):
    ax.plot(path0.alphas, path0.coefs[j], label=diab_names[j])
ax.axvline(cv0.alpha_min, color="k", linestyle="--", linewidth=1, label="CV minimum")
ax.axvline(cv0.alpha_1se, color="k", linestyle=":", linewidth=1, label="one-SE rule")
ax.set_xscale("log")
ax.set_xlabel("penalty α (log scale)")
ax.set_ylabel("coefficient (disease progression per SD of feature)")
ax.set_title("Diabetes: lasso path on the training data of split 0")
ax.legend(ncol=2, fontsize=8, loc="upper right")
plt.show()

# %%
r2 = {name: mean_std(r["r2"]) for name, r in dia.items()}
n_feat_d = {name: mean_std([len(S) for S in r["support"]]) for name, r in dia.items()}
s4_dropped = sum(diab_names.index("s4") not in S for S in dia["lasso"]["support"])
tuned = ["ridge", "lasso", "elastic net"]
assert max(abs(r2[name][0] - r2["none (OLS)"][0]) for name in tuned) < 0.01
assert max(abs(r2[name][0] - r2["none (OLS)"][0]) for name in tuned) < r2["none (OLS)"][1] / 5
assert r2["lasso (1-SE)"][0] < r2["lasso"][0] and n_feat_d["lasso (1-SE)"][0] < n_feat_d["lasso"][0] - 2
assert s4_dropped == len(SEEDS)
drop_s1, drop_s2 = (sum(diab_names.index(f) not in S for S in dia["lasso"]["support"]) for f in ("s1", "s2"))
assert 0 < drop_s1 < len(SEEDS) and 0 < drop_s2 < len(SEEDS)         # dropped on some splits, kept on others
assert r2["lasso"][0] - r2["lasso (1-SE)"][0] < 0.05                 # the one-SE rule's cost is small
alpha_1se_ratio = cv0.alpha_1se / cv0.alpha_min
assert alpha_1se_ratio > 3
glue("ch14_dia_rows_per_feature", round(n_rows_dia / 10, 1), display=False)
glue("ch14_dia_1se_ratio", round(float(alpha_1se_ratio), 1), display=False)
X_all = datasets.load_diabetes().data
corr_s1_s2 = float(np.corrcoef(X_all[:, diab_names.index("s1")], X_all[:, diab_names.index("s2")])[0, 1])
always_1se = set.intersection(*(set(S) for S in dia["lasso (1-SE)"]["support"]))
entry = np.argmax(path0.coefs != 0, axis=1) + 1000 * (path0.coefs == 0).all(axis=1)   # first alpha index
first_two = {diab_names[j] for j in np.argsort(entry, kind="stable")[:2]}
print(f"corr(s1, s2) = {corr_s1_s2:.3f}; kept by the one-SE lasso on every split:",
      sorted(diab_names[j] for j in always_1se), "; first to enter the path:", sorted(first_two))
assert abs(corr_s1_s2 - 0.9) < 0.01
assert {diab_names[j] for j in always_1se} == {"bmi", "bp", "s3", "s5"} and first_two == {"bmi", "s5"}
glue("ch14_dia_corr_s1_s2", round(corr_s1_s2, 4), display=False)
glue("ch14_dia_r2_ols", round(r2["none (OLS)"][0], 4), display=False)
glue("ch14_dia_r2_std_ols", round(r2["none (OLS)"][1], 4), display=False)
glue("ch14_dia_r2_lasso", round(r2["lasso"][0], 4), display=False)
glue("ch14_dia_r2_ridge", round(r2["ridge"][0], 4), display=False)
glue("ch14_dia_feat_lasso", round(n_feat_d["lasso"][0], 4), display=False)
glue("ch14_dia_feat_1se", round(n_feat_d["lasso (1-SE)"][0], 4), display=False)
glue("ch14_dia_r2_1se", round(r2["lasso (1-SE)"][0], 4), display=False)

# %% [markdown]
# **What we learned (diabetes).**
#
# - *With many more rows than features, regularization changes almost nothing.* The test $R^2$ is
#   {glue:text}`ch14_dia_r2_ols` ± {glue:text}`ch14_dia_r2_std_ols` for least squares,
#   {glue:text}`ch14_dia_r2_ridge` for ridge and {glue:text}`ch14_dia_r2_lasso` for the lasso: differences
#   less than a fifth of the variation between splits. With {glue:text}`ch14_dia_rows_per_feature` training
#   patients per feature, least squares has little variance to remove. Source 004's sentence that
#   regularization "improves generalization" in medical prediction is not wrong in general, but here there is
#   nothing to improve; a chapter that reported only the winner would hide that.
# - *The lasso still gives a simpler model at no cost.* It uses {glue:text}`ch14_dia_feat_lasso` of the 10
#   features on average and always drops s4; s1 and s2 (total and LDL cholesterol, correlation
#   {glue:text}`ch14_dia_corr_s1_s2`) are dropped or kept depending on the split. The one-SE rule keeps
#   {glue:text}`ch14_dia_feat_1se` features (bmi, bp, s3 and s5 on every split) at a small cost in $R^2$
#   ({glue:text}`ch14_dia_r2_1se`): a model a clinician can read, bought with a little accuracy, which is the
#   trade the rule is meant to offer.
# - The path shows the order in which features enter as $\alpha$ decreases: bmi and s5 first. The curve of
#   CV error is flat near its minimum, which is why the one-SE rule can move far to the right along the path,
#   to an $\alpha$ {glue:text}`ch14_dia_1se_ratio` times larger on split 0, for a small loss.

# %% [markdown]
# ## Financial data: predicting the S&P 500 month by month
#
# The monthly prices come from matplotlib's `Stocks.csv` (Yahoo Finance, January 1990 to June 2022). The file
# needs care: {glue:text}`ch14_fin_placeholders` rows are date placeholders without any price, the last row
# repeats June 2022 under another date, and three series start late: Amazon (June 1997), Google (September
# 2004) and Dell (September 2016, after its years as a private company). Filling those gaps (with zeros, or
# the first price) would invent returns. We drop the placeholder and duplicate rows and use the seven series
# that are complete (IBM, Apple, Microsoft, Xerox, Adobe, the S&P 500 and the Nasdaq composite), which gives
# {glue:text}`ch14_fin_n_returns` monthly log returns; including a late series would have cost every year
# before its start.
#
# **Task.** Predict next month's S&P 500 return, and separately its absolute value (a simple measure of
# volatility), from the last 3 or 12 monthly returns (or absolute returns) of all seven series. **Protocol.**
# Forward chaining twice: the outer loop {eq}`eq-tab-forward-chaining` cuts the rows into a first training
# period of at least 10 years and 5 test blocks of about 4 years; for each block the model is fitted on
# everything before it, with its penalty chosen by an inner forward chaining (4 validation blocks in the
# second half of that training period). The score is $R^2_{\text{OS}}$ against the mean of the training
# period {eq}`eq-tab-oos-r2`, the benchmark that Welch and Goyal {cite}`welch2008comprehensive` found
# surprisingly hard to beat for stock returns. The number of lags is not tuned: two values are shown, to
# see how the results depend on it.

# %%
def evaluate_forecasts(Z, target, n_lags, *, min_train=120, n_outer=5):
    """Out-of-sample R^2 against the training mean, per outer forward-chaining block, for each model."""
    lm = lag_matrix(Z, n_lags)
    X, y = lm.X, lm.y[:, target]
    scores = {name: [] for name in ["none (OLS)", "ridge", "lasso", "elastic net"]}
    support = {name: [] for name in ["lasso", "elastic net", "alpha lasso", "alpha elastic net"]}
    for tr, te in forward_chaining_splits(len(y), n_splits=n_outer, min_train=min_train):
        scaler = Standardizer().fit(X[tr])
        X_tr, X_te, y_tr = scaler.transform(X[tr]), scaler.transform(X[te]), y[tr]
        inner = forward_chaining_splits(len(tr), n_splits=4, min_train=len(tr) // 2)
        cv_ridge = cross_val_grid(Ridge(), X_tr, y_tr, param_name="alpha", values=log_grid(1e-1, 1e5, 13),
                                  folds=inner)
        models = {"none (OLS)": Ridge(alpha=0.0).fit(X_tr, y_tr),
                  "ridge": Ridge(alpha=cv_ridge.best_value).fit(X_tr, y_tr)}
        for name, rho in [("lasso", 1.0), ("elastic net", 0.5)]:
            cv = lasso_cv(X_tr, y_tr, n_alphas=30, folds=inner, l1_ratio=rho)
            models[name] = ElasticNet(alpha=cv.alpha_min, l1_ratio=rho).fit(X_tr, y_tr)
            support[name].append(int(np.count_nonzero(models[name].coef_)))
            support["alpha " + name].append(float(cv.alpha_min))
        for name, model in models.items():
            scores[name].append(oos_r2(y[te], model.predict(X_te), y_tr.mean()))
    return scores, support


fin = {"return, 12 lags": evaluate_forecasts(returns, GSPC, 12),
       "|return|, 3 lags": evaluate_forecasts(np.abs(returns), GSPC, 3),
       "|return|, 12 lags": evaluate_forecasts(np.abs(returns), GSPC, 12)}
rows = [[name] + [pm(fin[task][0][name]) for task in fin] for name in fin["return, 12 lags"][0]]
print_table(["R^2_OS (5 blocks)"] + list(fin), rows)
for task, (scores, support) in fin.items():
    print(f"{task}: features kept by the lasso in each block:", support["lasso"])
target_dates = dates[1:][lag_matrix(returns, 12).target_index]    # month whose return is predicted
blocks = [(target_dates[te[0]][:7], target_dates[te[-1]][:7])
          for _, te in forward_chaining_splits(len(target_dates), n_splits=5, min_train=120)]
print("test blocks (12 lags):", ", ".join(f"{a} to {b}" for a, b in blocks))

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.8), sharey=False)
for ax, (task, (scores, _)) in zip(axes, fin.items()):
    for i, (name, v) in enumerate(scores.items()):
        ax.bar(np.arange(5) + (i - 1.5) * 0.2, v, width=0.2, label=name)
    ax.axhline(0, color="k", linewidth=0.8)
    ax.set_ylim(-0.5, 0.2)
    ax.set_xlabel("test block (5 consecutive periods of about 4 years)")
    ax.set_title(task)
axes[0].set_ylabel("out-of-sample $R^2$ vs the training mean")
axes[0].legend(fontsize=8, loc="lower right")
fig.suptitle("Next-month S&P 500: OLS bars below -0.5 are cut off", fontsize=10)
plt.show()

# %% [markdown]
# The next cell checks the claims below block by block.

# %%
ret12, vol3, vol12 = (fin[task][0] for task in fin)
assert all(v < 0 for v in ret12["none (OLS)"])                          # OLS loses in every block
assert all(abs(v) < 0.0005 for v in ret12["ridge"])                    # ridge ends at the mean forecast
assert all(abs(v) < 0.05 for name in ["lasso", "elastic net"] for v in ret12[name])
assert min(vol3["ridge"]) > 0 and mean_std(vol3["ridge"])[0] > 2 * mean_std(vol3["ridge"])[1]
assert mean_std(vol3["lasso"])[0] > 0 and min(vol3["lasso"]) >= 0
assert mean_std(vol12["none (OLS)"])[0] < 0 and mean_std(vol12["ridge"])[0] < mean_std(vol3["ridge"])[0]
assert mean_std(vol12["lasso"])[0] < mean_std(vol3["lasso"])[0]
enet_vs_lasso = max(abs(a - b) for sc in (ret12, vol3, vol12) for a, b in zip(sc["lasso"], sc["elastic net"]))
assert enet_vs_lasso < 0.005                                            # near-identical fits, every block
alpha_ratio = [a / b for _, sup in fin.values() for a, b in zip(sup["alpha elastic net"], sup["alpha lasso"])]
assert all(abs(r - 2) < 0.01 for r in alpha_ratio)                      # the same point of a grid scaled by 1/rho
assert blocks[1][0] < "2008-10" < blocks[1][1]                        # the crash of 2008 is in block 2
glue("ch14_fin_ols_ret", round(mean_std(ret12["none (OLS)"])[0], 4), display=False)
glue("ch14_fin_ols_ret_worst", round(min(ret12["none (OLS)"]), 4), display=False)
glue("ch14_fin_lasso_ret", round(mean_std(ret12["lasso"])[0], 4), display=False)
glue("ch14_fin_ridge_vol3", round(mean_std(vol3["ridge"])[0], 4), display=False)
glue("ch14_fin_ridge_vol3_std", round(mean_std(vol3["ridge"])[1], 4), display=False)
glue("ch14_fin_ols_vol3", round(mean_std(vol3["none (OLS)"])[0], 4), display=False)
glue("ch14_fin_ols_vol12", round(mean_std(vol12["none (OLS)"])[0], 4), display=False)
glue("ch14_fin_ridge_vol12", round(mean_std(vol12["ridge"])[0], 4), display=False)
glue("ch14_fin_lasso_vol12", round(mean_std(vol12["lasso"])[0], 4), display=False)

# %% [markdown]
# **What we learned (finance).**
#
# - *Monthly returns are nearly unpredictable from past returns, and regularization does not change that.*
#   Least squares with 84 lagged returns loses to the training mean in every test block (mean
#   $R^2_{\text{OS}}$ {glue:text}`ch14_fin_ols_ret`, worst block {glue:text}`ch14_fin_ols_ret_worst`).
#   Cross-validated ridge chooses a penalty so strong that it predicts the mean: its
#   $R^2_{\text{OS}}$ is zero to three decimals in every block. The lasso keeps a few lags in some blocks
#   and ends within a few hundredths of zero either way (mean {glue:text}`ch14_fin_lasso_ret`). The elastic net
#   chooses an $\alpha$ twice as large in every block (the same point of its grid, which `lasso_cv` scales by
#   $1/\rho$), hence the same L1 weight $\alpha\rho$; the added L2 term changes the fits little, and its
#   $R^2_{\text{OS}}$ differs from the lasso's by less than 0.005 in every block of every task. Here the
#   regularized model's achievement is to *not lose*: it finds that there is nothing to learn, where least
#   squares learns noise. That is a useful result, and the opposite of source 004's promise that
#   regularization "提高模型泛化能力" in financial prediction: it cannot create a signal.
# - *Volatility is predictable, a little.* Large moves follow large moves (volatility clustering
#   {cite}`engle1982autoregressive`): with 3 lags, ridge forecasts of the absolute return beat the mean in every
#   block ($R^2_{\text{OS}}$ {glue:text}`ch14_fin_ridge_vol3` ± {glue:text}`ch14_fin_ridge_vol3_std`, versus
#   {glue:text}`ch14_fin_ols_vol3` for least squares). With 12 lags, least squares collapses
#   ({glue:text}`ch14_fin_ols_vol12`) and the penalized models keep only part of the gain (ridge
#   {glue:text}`ch14_fin_ridge_vol12`, lasso {glue:text}`ch14_fin_lasso_vol12`): the penalty limits the
#   damage of a too-large model but does not fully undo it, and the inner validation, with its few dozen
#   months per block, is noisy.
# - The blocks differ a lot (the figure); October 2008 is in the second. Five numbers per model are a small sample,
#   which is why only statements that hold in every block, or by more than two standard deviations, are made.

# %% [markdown]
# (ch14-time-series)=
# ## Time series: autoregressive models of an EEG recording
#
# matplotlib also ships 10 seconds of a four-channel electroencephalogram (EEG) sampled at 80 Hz (800 values
# per channel; the file is a flat array of 3200 floats, read as in matplotlib's gallery example
# `mri_with_eeg`). We fit AR($p$) models with $p = 160$ lags (2 seconds of history) to each channel: 160
# coefficients from 480 training rows, so least squares has room to overfit. The first 75 % of the rows are
# the training period, standardized with its own statistics; the last 25 % are the test period. The penalty
# is chosen by forward chaining (5 validation blocks in the second half of the training period). Two
# benchmarks: the training mean and the last observed value ("persistence"). The 4 channels play the role of
# seeds: mean ± standard deviation over channels.

# %%
with cbook.get_sample_data("eeg.dat") as f:
    eeg = np.fromfile(f, dtype=float).reshape(800, 4)       # 10 s at 80 Hz, channels PG3, PG5, PG7, PG9
EEG_CHANNELS = ["PG3", "PG5", "PG7", "PG9"]
P_LAGS, TRAIN_FRAC = 160, 0.75
ALPHA_AR = log_grid(1e-2, 1e4, 13)


def ar_problem(channel, horizon=1, n_lags=P_LAGS):
    """Lag matrix of one channel (standardized with training statistics), split in time."""
    x = eeg[:, channel]
    n_train_raw = int(TRAIN_FRAC * len(x))
    x = (x - x[:n_train_raw].mean()) / x[:n_train_raw].std()
    lm = lag_matrix(x, n_lags, horizon=horizon)
    n_tr = int(TRAIN_FRAC * len(lm.y))
    return lm.X[:n_tr], lm.y[:n_tr], lm.X[n_tr:], lm.y[n_tr:]


ar = {name: [] for name in ["mean", "last value", "none (OLS)", "ridge", "lasso", "elastic net"]}
ar_coefs = {}
for ch in range(4):
    X_tr, y_tr, X_te, y_te = ar_problem(ch)
    inner = forward_chaining_splits(len(y_tr), n_splits=5, min_train=len(y_tr) // 2)
    cv_ridge = cross_val_grid(Ridge(), X_tr, y_tr, param_name="alpha", values=ALPHA_AR, folds=inner)
    models = {"none (OLS)": Ridge(alpha=0.0), "ridge": Ridge(alpha=cv_ridge.best_value)}
    for name, rho in [("lasso", 1.0), ("elastic net", 0.5)]:
        cv = lasso_cv(X_tr, y_tr, n_alphas=30, folds=inner, l1_ratio=rho)
        models[name] = ElasticNet(alpha=cv.alpha_min, l1_ratio=rho, max_iter=5000)
    ar["mean"].append(oos_r2(y_te, np.full(len(y_te), y_tr.mean()), y_tr.mean()))
    ar["last value"].append(oos_r2(y_te, X_te[:, 0], y_tr.mean()))
    for name, model in models.items():
        model.fit(X_tr, y_tr)
        ar[name].append(oos_r2(y_te, model.predict(X_te), y_tr.mean()))
        if ch == 0:
            ar_coefs[name] = model.coef_
rows = [[name, pm(v)] for name, v in ar.items()]
print_table(["one-step forecast", "R^2_OS on the last 25 %"], rows)
ar = {name: np.array(v) for name, v in ar.items()}
n_lasso = int(np.count_nonzero(ar_coefs["lasso"]))
recent = {name: float(np.abs(ar_coefs[name][:40]).sum() / np.abs(ar_coefs[name]).sum())
          for name in ["none (OLS)", "lasso"]}
print(f"channel {EEG_CHANNELS[0]}: the lasso keeps {n_lasso} of {P_LAGS} lags; share of the sum of |w_k| in "
      f"the 40 most recent lags (0.5 s): lasso {recent['lasso']:.2f}, least squares {recent['none (OLS)']:.2f}")
assert recent["lasso"] > 0.7 and recent["none (OLS)"] < 0.5
assert (ar["lasso"] > ar["none (OLS)"] + 0.02).all() and (ar["elastic net"] > ar["none (OLS)"]).all()
assert abs(ar["ridge"].mean() - ar["none (OLS)"].mean()) < 0.02
assert ar["lasso"].mean() > ar["last value"].mean() > ar["none (OLS)"].mean() - 0.02
glue("ch14_ar_ols", round(float(ar["none (OLS)"].mean()), 4), display=False)
glue("ch14_ar_ridge", round(float(ar["ridge"].mean()), 4), display=False)
glue("ch14_ar_lasso", round(float(ar["lasso"].mean()), 4), display=False)
glue("ch14_ar_last", round(float(ar["last value"].mean()), 4), display=False)
glue("ch14_ar_gain_min", round(float((ar["lasso"] - ar["none (OLS)"]).min()), 4), display=False)
glue("ch14_ar_nlasso", n_lasso, display=False)
glue("ch14_ar_recent_lasso", round(100 * recent["lasso"]), display=False)
glue("ch14_ar_recent_ols", round(100 * recent["none (OLS)"]), display=False)

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for name in ["none (OLS)", "ridge", "lasso"]:
    ax.plot(np.arange(1, P_LAGS + 1), ar_coefs[name], marker="o", markersize=3, label=name)
ax.axhline(0, color="grey", linewidth=0.8)
ax.set_xlabel("lag k (samples of 12.5 ms)")
ax.set_ylabel("coefficient $w_k$")
ax.set_title(f"AR({P_LAGS}) coefficients, EEG channel {EEG_CHANNELS[0]}")
ax.legend()
plt.show()

# %% [markdown]
# **What we learned (AR models).** With 160 lags and 480 rows, least squares is no better than persistence
# ($R^2_{\text{OS}}$ {glue:text}`ch14_ar_ols` against {glue:text}`ch14_ar_last` for the last value). Ridge
# helps little ({glue:text}`ch14_ar_ridge`): it shrinks all 160 coefficients but keeps them all. The lasso
# does better on every channel (mean {glue:text}`ch14_ar_lasso`, at least {glue:text}`ch14_ar_gain_min`
# above least squares on each), and on channel PG3 it keeps {glue:text}`ch14_ar_nlasso` of the 160 lags. The
# weight is concentrated in the recent lags: the 40 most recent (half a second) carry
# {glue:text}`ch14_ar_recent_lasso`% of the sum of $|w_k|$ for the lasso, {glue:text}`ch14_ar_recent_ols`% for
# least squares, which the figure shows spreading noisy weight over all of them. Choosing the order $p$ by
# hand is the classical alternative {cite}`hyndman2021forecasting`; the lasso chooses the lags themselves.

# %% [markdown]
# ### Shuffled K-fold versus forward chaining
#
# How good is a cross-validation estimate of the error? For each channel we choose ridge's penalty by three
# schemes on the training period and compare each scheme's estimate of the mean squared error (its CV score
# at the $\alpha$ it chose) with the error that $\alpha$ actually has on the test period: ordinary
# **shuffled** 5-fold, **blocked** 5-fold (the same folds without shuffling: five contiguous stretches of
# time, with training data on both sides) and **forward chaining** (gap $h - 1$). A ratio below 1 means the
# scheme promised a smaller error than was delivered. Shuffled and blocked K-fold train on the same number of
# rows, so the difference between them is due only to which rows sit next to the validation rows. Three
# settings: AR(40) one step ahead, the case where Bergmeir et al. {cite}`bergmeir2018note` predict that
# shuffling does no harm if the model's errors are uncorrelated; AR(40) three steps ahead, where the errors are
# correlated by construction (the check after {eq}`eq-tab-forward-chaining`); and the AR(160) of the table.

# %%
def cv_estimates(channel, horizon, n_lags):
    """CV estimate of the MSE at each scheme's chosen alpha, divided by the test MSE of that alpha."""
    X_tr, y_tr, X_te, y_te = ar_problem(channel, horizon, n_lags)
    schemes = {"shuffled 5-fold": kfold_indices(len(y_tr), k=5, rng=channel),
               "blocked 5-fold": kfold_indices(len(y_tr), k=5, shuffle=False),
               "forward chaining": forward_chaining_splits(len(y_tr), n_splits=5, min_train=len(y_tr) // 2,
                                                           gap=horizon - 1)}
    out = {}
    for name, folds in schemes.items():
        cv = cross_val_grid(Ridge(), X_tr, y_tr, param_name="alpha", values=ALPHA_AR, folds=folds)
        test_mse = float(np.mean((y_te - Ridge(alpha=cv.best_value).fit(X_tr, y_tr).predict(X_te)) ** 2))
        out[name] = float(cv.mean[cv.best_index]) / test_mse
    return out


leak = {}
for n_lags, h in [(40, 1), (40, 3), (P_LAGS, 1)]:
    per_channel = [cv_estimates(ch, h, n_lags) for ch in range(4)]
    leak[n_lags, h] = {name: np.array([r[name] for r in per_channel]) for name in per_channel[0]}
    print(f"AR({n_lags}), horizon h = {h}: CV estimate / test MSE for channels {', '.join(EEG_CHANNELS)}")
    for name, ratios in leak[n_lags, h].items():
        print(f"  {name:17s}", " ".join(f"{v:.3f}" for v in ratios), f"  mean {ratios.mean():.3f}")

# %%
fig, ax = plt.subplots(figsize=(8, 4))
labels = [f"AR({p}), h = {h}" for p, h in leak]
for i, name in enumerate(["shuffled 5-fold", "blocked 5-fold", "forward chaining"]):
    x = np.arange(len(leak)) + (i - 1) * 0.27
    ax.bar(x, [leak[key][name].mean() for key in leak], width=0.27, label=name, alpha=0.8)
    ax.plot(np.repeat(x, 4), np.concatenate([leak[key][name] for key in leak]), "k.", markersize=4)
ax.axhline(1.0, color="k", linewidth=0.8)
ax.set_xticks(np.arange(len(leak)), labels)
ax.set_ylabel("CV estimate of MSE / test MSE")
ax.set_title("EEG: how much each validation scheme promises (dots: the 4 channels)")
ax.legend(fontsize=8)
plt.show()

# %%
shuf, block, fwd = ({key: leak[key][name] for key in leak}
                    for name in ["shuffled 5-fold", "blocked 5-fold", "forward chaining"])
assert (np.abs(shuf[40, 1] / block[40, 1] - 1) < 0.05).all()          # no leak: shuffling is harmless
assert (shuf[40, 3] < block[40, 3]).all() and (shuf[P_LAGS, 1] < block[P_LAGS, 1]).all()
assert all(fwd[key].mean() > block[key].mean() > shuf[key].mean() - 0.02 for key in leak)
glue("ch14_leak_h1_ratio", round(float(np.mean(shuf[40, 1] / block[40, 1])), 4), display=False)
glue("ch14_leak_h3_ratio", round(float(np.mean(shuf[40, 3] / block[40, 3])), 4), display=False)
glue("ch14_leak_p160_ratio", round(float(np.mean(shuf[P_LAGS, 1] / block[P_LAGS, 1])), 4), display=False)
glue("ch14_leak_h3_shuf", round(float(shuf[40, 3].mean()), 4), display=False)
glue("ch14_leak_p160_fwd", round(float(fwd[P_LAGS, 1].mean()), 4), display=False)
block_below = int(sum((block[key] < 1).sum() for key in leak))
assert block_below >= 9 and fwd[P_LAGS, 1].mean() > 1.1
glue("ch14_leak_block_below", block_below, display=False)

# %% [markdown]
# **What we learned (validation).**
#
# - *When the errors are uncorrelated, shuffling is harmless.* For the one-step AR(40), the shuffled estimate
#   is on average {glue:text}`ch14_leak_h1_ratio` times the blocked one, within 5 % on every channel, as
#   Bergmeir, Hyndman and Koo {cite}`bergmeir2018note` proved.
# - *When they are correlated, shuffled K-fold leaks.* Three steps ahead, a validation row's error is
#   correlated with the errors of the training rows next to it, and shuffled K-fold puts those rows in
#   training; its estimate is {glue:text}`ch14_leak_h3_ratio` times the blocked one on average and lower on
#   every channel, and it promises {glue:text}`ch14_leak_h3_shuf` of the test error. The AR(160) model, fitted
#   with 3 rows per coefficient, has the same problem one step ahead (ratio {glue:text}`ch14_leak_p160_ratio`):
#   its fitted errors are not the uncorrelated errors of the theorem.
# - *Forward chaining is the honest default, not a free lunch.* It has the highest mean estimate in every setting
#   because it trains on less data (its first block sees half of the training period), and for AR(160) it is
#   pessimistic (ratio {glue:text}`ch14_leak_p160_fwd`). It is the only scheme that uses the model as it will
#   be used: trained on the past, applied to the future. Even the blocked estimates are below 1 in
#   {glue:text}`ch14_leak_block_below` of the 12 cases, which suggests that the last quarter of this recording
#   is harder to predict than the first three; no validation scheme on the past can know that
#   {cite}`bergmeir2012use`.

# %% [markdown]
# (ch14-pitfalls)=
# ## Pitfalls and corrections
#
# - **"Regularization improves generalization" in every application (source 004, §3.4).** The source gives
#   the same sentence for image classification, NLP, recommendation, time-series, medical and financial
#   prediction: "正则化技术可以缓解过拟合问题，提高模型泛化能力". The cells above measured three different
#   outcomes. On the diabetes table (10 features, 442 patients) no penalty changed the test $R^2$ by more than
#   a fifth of its spread over splits. On monthly S&P 500 returns the best regularized model only matched
#   the historical mean; least squares lost to it in every block. Where the model was too large for the data
#   (AR(160), 84 lagged returns, 30 collinear features in a logistic model), the penalty helped, sometimes a
#   lot (the log-loss of the breast-cancer model). Regularization reduces variance; it helps exactly as much
#   as there is variance to remove, and it never adds signal.
# - **"L1 can be used for feature selection" (000: "实际上可以实现特征选择"; 003 FAQ: "L1正则化可以用于特征选择";
#   004: "便于特征选择和降维").** True as far as it goes, but the selected set depends on the sample: on breast
#   cancer, the mean Jaccard index of the L1 sets over five splits was {glue:text}`ch14_bc_stab_l1`, and
#   between correlated features the choice is close to arbitrary. Report how often each feature is selected,
#   not one set, and do not read a dropped feature as an irrelevant one.
# - **Shuffled K-fold on time series.** The sources recommend choosing $\lambda$ "通过交叉验证" (002, 003)
#   without saying how the folds are made. On rows ordered in time, use forward chaining (or at least blocked
#   folds with a gap); shuffled K-fold is valid only when the model's errors are uncorrelated, which
#   multi-step forecasts and overfitted models violate.
# - **Scaling and imputing with future data.** Standardizing with the mean and standard deviation of the whole
#   series, or filling the missing early prices of Amazon or Google with later values, lets the test period
#   leak into training. Every statistic above was computed on the training rows of each split only.
# - **Zero-filled gaps.** `Stocks.csv` encodes placeholders as empty rows; `np.genfromtxt` turns them into NaN,
#   and code that replaced NaN by 0 would create spurious returns of $\log 0$. Drop, don't fill.
#
# ## Summary
#
# - The same three penalties served three kinds of tables; what changed was the validation (stratified
#   K-fold for patients, forward chaining for months and EEG samples) and the benchmark a model must beat
#   (the unpenalized model, the historical mean, the last value).
# - Breast cancer: penalties mattered for the probabilities (log-loss {glue:text}`ch14_bc_loss_none` without,
#   {glue:text}`ch14_bc_loss_l2` with L2) more than for accuracy; the L1 selection was sparse but unstable, the
#   elastic net's less sparse and more stable.
# - Diabetes: with {glue:text}`ch14_dia_rows_per_feature` rows per feature, all models had the same test $R^2$
#   ({glue:text}`ch14_dia_r2_ols`) to within a fifth of its spread over splits; the lasso with the one-SE rule
#   gave a model of about four features ({glue:text}`ch14_dia_feat_1se` on average) at a small cost.
# - S&P 500: returns were unpredictable; regularized models tied the mean, least squares lost to it. Volatility
#   was predictable, a little ($R^2_{\text{OS}}$ {glue:text}`ch14_fin_ridge_vol3` for ridge with 3 lags).
# - EEG: for AR(160) the lasso beat least squares on every channel and kept {glue:text}`ch14_ar_nlasso` lags on
#   channel PG3.
#   Shuffled K-fold was optimistic whenever the model's errors were correlated; forward chaining was the honest
#   (and somewhat pessimistic) estimate.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 14 <exercises/solutions/a14_tabular>` has coding exercises on this chapter with checks
# you can run; download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **Stability selection (coding).** For the breast-cancer data, refit the L1 logistic model on 50
#    half-samples of the training data at a fixed $C$ and report each feature's selection frequency. Which
#    features are selected in more than 80 % of the half-samples? Compare with the figure.
# 2. **Daily volatility (coding).** `matplotlib.cbook.get_sample_data("goog.npz")["price_data"]` holds daily
#    Google prices from August 2004 to October 2008. Predict the next day's absolute log return from the last
#    20 absolute returns with ridge and lasso, validated by forward chaining. Is daily volatility more or less
#    predictable than monthly? Use `oos_r2` with the training mean as benchmark.
# 3. **A gap for overlapping targets.** Repeat the AR(40), $h = 3$ comparison with blocked K-fold that leaves
#    out the $h - 1$ rows on each side of every validation block. How close does it get to forward chaining?
# 4. **Order selection.** For one EEG channel, choose $p$ in $\{5, 10, 20, 40, 80, 160\}$ for least squares by
#    forward chaining, and compare the test $R^2_{\text{OS}}$ with the lasso on $p = 160$. Which coefficients
#    does the lasso keep that a fixed order would drop?
# 5. **Why not the test mean?** The chapter checked numerically that $R^2_{\text{OS}}$ with the *test* mean as
#    benchmark equals scikit-learn's `r2_score`; prove it from {eq}`eq-tab-oos-r2`, and explain why that
#    benchmark is not available to a forecaster.
#
# ## References
#
# Ridge is {cite}`hoerl1970ridge`, the lasso {cite}`tibshirani1996regression`, the elastic net
# {cite}`zou2005regularization`; the one-SE rule and cross-validation are in {cite}`hastie2009elements`. The data
# are {cite}`street1993nuclear` (breast cancer) and {cite}`efron2004least` (diabetes). Out-of-sample $R^2$
# against the historical mean is from {cite}`campbell2008predicting`, and {cite}`welch2008comprehensive` showed
# how hard that benchmark is to beat; volatility clustering goes back to {cite}`engle1982autoregressive`.
# Cross-validation for time series: {cite}`bergmeir2012use,bergmeir2018note`; rolling-origin evaluation:
# {cite}`tashman2000out,hyndman2021forecasting`. Stability selection is {cite}`meinshausen2010stability`.
# Full entries are in the {doc}`bibliography`.
