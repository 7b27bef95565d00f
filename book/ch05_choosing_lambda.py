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
# (ch-choosing-lambda)=
# # Choosing λ: cross-validation, the one-standard-error rule, closed-form LOOCV and automatic selection
#
# Every source article answers the question "how do I choose the regularization coefficient
# (正则化系数) λ?" with one sentence: use cross-validation (交叉验证) or grid search (网格搜索), pick the
# value that does best on the validation set (验证集), "adjust it by experiment". That is the right
# starting point and far from the whole answer. This chapter makes it concrete:
#
# - how $k$-fold cross-validation estimates the error curve, and how noisy that estimate is;
# - why the smallest cross-validation error is an optimistic estimate of the error of the model it
#   picks, and how nested cross-validation (嵌套交叉验证) reports an honest one;
# - the one-standard-error rule (一倍标准误规则), which trades a little estimated error for a simpler model;
# - ridge's leave-one-out cross-validation (留一交叉验证) in closed form and generalized cross-validation
#   (GCV, 广义交叉验证), which cost one SVD instead of $n$ refits per λ;
# - the lasso along its path with warm starts, and information criteria (信息准则) with the number of
#   non-zero coefficients as degrees of freedom (自由度);
# - "automatic" choices, the "automated regularization" (自动化正则化) and "adaptive regularization"
#   (自适应正则化) that source 004 lists as future work: empirical Bayes (经验贝叶斯) for ridge, which
#   needs no grid at all, and the adaptive lasso;
# - running the same code on several cores or a Dask cluster, and a recipe that answers the sources'
#   FAQ with evidence.
#
# Penalties follow the book's conventions (see {doc}`notation`): ridge minimizes
# $\lVert y - Xw - b\rVert^2 + \alpha\lVert w\rVert^2$ and the lasso
# $\frac1{2n}\lVert y - Xw - b\rVert^2 + \alpha\lVert w\rVert_1$, as in scikit-learn; "λ" in the prose
# means whichever strength is being tuned. The first cell seeds every random number generator.

# %%
import warnings
from unittest import mock

import joblib
import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue
from scipy import integrate, linalg, stats
from sklearn.feature_selection import SelectKBest, f_regression
from sklearn.linear_model import BayesianRidge, LassoCV, LassoLarsIC, RidgeCV
from sklearn.model_selection import GridSearchCV, KFold, cross_validate, validation_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

import regbook
from regbook import checks, data, plotting
from regbook.np import cross_validation
from regbook.np.lasso_selection import (
    adaptive_lasso, adaptive_weights, lasso_df_simulation, lasso_information_criteria,
)
from regbook.np.linear import Ridge, lasso, lasso_path, ridge
from regbook.np.model_selection import (
    cross_val_grid, kfold_indices, lasso_cv, log_grid, nested_cv, non_nested_minimum, one_se_rule,
)
from regbook.np.ridge_selection import ridge_evidence, ridge_loocv, ridge_loocv_bruteforce

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## Why: one validation split is a noisy judge
#
# The data are the diabetes data of the ridge chapter ({ref}`ch-ridge`): 442 patients, ten baseline
# measurements, and a measure of disease progression one year later. To give the penalty real work we
# use the quadratic features: the ten inputs, their squares and their pairwise products, 64 columns
# once the square of the binary `sex` variable (a copy of `sex` itself after standardization) is
# dropped. (Exactly duplicated columns would make the lasso solutions below non-unique.) The test
# part of the book's fixed split (88 patients) is put aside until the very end; the other
# {glue:text}`ch5_n_dev` patients are the *development* data on which λ is chosen.
#
# The sources' recipe, "train one model per candidate λ and keep the one that does best on the
# validation set", is run below twenty times, each time with a different random quarter of the
# development data as the validation set. The features are standardized with the statistics of the
# training part only, and ridge is fitted for 25 values of $\alpha$ on a logarithmic grid.

# %%
split = data.load_dataset("diabetes", standardize=False)          # fixed split; raw units
X_dev = np.vstack([split.X_train, split.X_val])
y_dev = np.concatenate([split.y_train, split.y_val])
quad = PolynomialFeatures(degree=2, include_bias=False).fit(X_dev)  # row-wise: no statistics are learned
names = quad.get_feature_names_out(["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"])
keep = names != "sex^2"                                             # sex is binary: sex^2 duplicates it
Q_dev, Q_test = quad.transform(X_dev)[:, keep], quad.transform(split.X_test)[:, keep]
n_dev, p_q = Q_dev.shape
GRID = log_grid(1e-2, 1e4, 25)                                      # ridge alpha, 6 decades


def sig3(x):
    """x to three significant digits, as a plain int or float for glue (100, not 100.0)."""
    v = float(f"{x:.3g}")
    return int(v) if v.is_integer() else v


def holdout_curve(train, val, alphas):
    """Validation MSE of ridge for each alpha; features standardized with the training part only."""
    scaler = StandardScaler().fit(Q_dev[train])
    A, B = scaler.transform(Q_dev[train]), scaler.transform(Q_dev[val])
    fits = (ridge(A, y_dev[train], alpha=a) for a in alphas)
    return np.array([np.mean((y_dev[val] - B @ f.coef - f.intercept) ** 2) for f in fits])


N_SPLITS = 20
holdout = np.zeros((N_SPLITS, GRID.size))
for s in range(N_SPLITS):
    perm = np.random.default_rng(100 + s).permutation(n_dev)
    holdout[s] = holdout_curve(perm[n_dev // 4:], perm[:n_dev // 4], GRID)
best_single = GRID[np.argmin(holdout, axis=1)]

fig, ax = plt.subplots()
for s in range(N_SPLITS):
    ax.plot(GRID, holdout[s], color="0.6", lw=0.8)
ax.scatter(best_single, holdout.min(axis=1), color="C3", zorder=3, label="minimum of each split")
ax.set(xscale="log", xlabel=r"ridge strength $\alpha$", ylabel="validation MSE",
       title="Twenty random validation splits of the same 354 patients")
ax.legend()
plt.show()

span_single = float(np.log10(best_single.max() / best_single.min()))
print(f"n = {n_dev} development samples, {p_q} quadratic features")
print(f"alpha chosen by a single split: from {best_single.min():.3g} to {best_single.max():.3g} "
      f"({span_single:.1f} decades)")
print(f"validation MSE at the chosen alpha: from {holdout.min(axis=1).min():.0f} "
      f"to {holdout.min(axis=1).max():.0f}")
assert span_single >= 2.0

glue("ch5_n_dev", n_dev, display=False)
glue("ch5_single_lo", sig3(best_single.min()), display=False)
glue("ch5_single_hi", sig3(best_single.max()), display=False)
glue("ch5_single_span", round(span_single, 1), display=False)
glue("ch5_single_mse_lo", round(float(holdout.min(axis=1).min())), display=False)
glue("ch5_single_mse_hi", round(float(holdout.min(axis=1).max())), display=False)

# %% [markdown]
# Same data, same model, same grid: the "best" $\alpha$ ranges from {glue:text}`ch5_single_lo` to
# {glue:text}`ch5_single_hi`, {glue:text}`ch5_single_span` decades, depending only on which 88
# patients happened to be held out, and the validation error at the chosen value ranges from
# {glue:text}`ch5_single_mse_lo` to {glue:text}`ch5_single_mse_hi`. A choice of λ is an *estimate*,
# with a variance; the rest of the chapter is about making that estimate less noisy, about not fooling
# ourselves with it, and about computing it cheaply.
#
# ## Theory: estimating the error curve
#
# (ch5-kfold)=
# ### $k$-fold cross-validation
#
# Cut the $n$ samples into $k$ folds $V_1, \dots, V_k$ of nearly equal size. For each candidate λ and
# each fold $j$, fit the model on the other folds ($T_j = V_j^c$) and measure its error on $V_j$. The
# cross-validation estimate is the average over folds, and the spread of the $k$ fold errors gives a
# standard error (标准误) {cite}`stone1974cross,hastie2009elements`:
#
# $$
# \mathrm{CV}(\lambda) = \frac1k\sum_{j=1}^k E_j(\lambda), \qquad
# E_j(\lambda) = \frac1{|V_j|}\sum_{i\in V_j}\bigl(y_i - \hat f_\lambda^{(-j)}(x_i)\bigr)^2, \qquad
# \mathrm{SE}(\lambda) = \frac{1}{\sqrt k}\sqrt{\frac{1}{k-1}\sum_{j=1}^k\bigl(E_j(\lambda) - \mathrm{CV}(\lambda)\bigr)^2},
# $$ (eq-cv-kfold)
#
# where $\hat f_\lambda^{(-j)}$ is fitted on $T_j$ only. *Everything* that is learned from data belongs
# to the fit: the means and standard deviations used to standardize the features are computed on
# $T_j$, not on all $n$ samples. Every sample is used for validation exactly once and for training
# $k-1$ times. $\mathrm{CV}(\lambda)$ estimates the error of a model trained on $n(k-1)/k$ samples, a
# little more than the error of the model trained on all $n$ that we will deploy.
#
# The SE in {eq}`eq-cv-kfold` treats the $k$ fold errors as independent. They are not (any two
# training sets share $k-2$ folds), and no unbiased estimator of the variance of $\mathrm{CV}$ exists
# {cite}`bengio2004no`; the SE is a useful yardstick, not an exact error bar.
#
# The check: the folds of `kfold_indices` partition the samples, and a hand-written loop of
# {eq}`eq-cv-kfold` (standardize on $T_j$, fit `ridge`, score on $V_j$) gives exactly the fold errors
# that `cross_val_grid` computes with regbook's scikit-learn-compatible `Ridge` inside a scikit-learn
# `Pipeline`.

# %%
K = 5
folds = kfold_indices(n_dev, k=K, rng=rng)
val_all = np.concatenate([val for _, val in folds])
assert np.array_equal(np.sort(val_all), np.arange(n_dev))                  # each sample validated once
assert all(np.intersect1d(tr, val).size == 0 and tr.size + val.size == n_dev for tr, val in folds)
print("fold sizes:", [int(val.size) for _, val in folds])

hand = np.zeros((GRID.size, K))                                              # E_j(alpha), by hand
for j, (tr, val) in enumerate(folds):
    mu, sd = Q_dev[tr].mean(axis=0), Q_dev[tr].std(axis=0)                   # statistics of T_j only
    A, B = (Q_dev[tr] - mu) / sd, (Q_dev[val] - mu) / sd
    for i, a in enumerate(GRID):
        fit = ridge(A, y_dev[tr], alpha=a)
        hand[i, j] = np.mean((y_dev[val] - B @ fit.coef - fit.intercept) ** 2)

model = make_pipeline(StandardScaler(), Ridge())                             # standardize inside each fit
cv = cross_val_grid(model, Q_dev, y_dev, param_name="ridge__alpha", values=GRID, folds=folds)
err_hand = checks.assert_close(cv.fold_scores, hand, rtol=1e-10, name="cross_val_grid vs hand loop")
checks.assert_close(cv.se, hand.std(axis=1, ddof=1) / np.sqrt(K), rtol=1e-10, name="SE")
print(f"cross_val_grid vs the hand loop of eq-cv-kfold: rel. error {checks.error_bound(err_hand)}")

# %% [markdown]
# Averaging over $k$ validation folds makes the curve less noisy than one split. Re-running 5-fold CV
# with five different random fold assignments:

# %%
best_kfold = [cv.best_value] + [
    cross_val_grid(model, Q_dev, y_dev, param_name="ridge__alpha", values=GRID, k=K,
                   rng=np.random.default_rng(200 + r)).best_value
    for r in range(4)]
span_kfold = float(np.log10(max(best_kfold) / min(best_kfold)))
print("alpha chosen by 5-fold CV with five fold assignments:", [sig3(a) for a in best_kfold])
print(f"spread: {span_kfold:.2f} decades (single validation splits: {span_single:.1f})")
assert span_kfold < 0.5 * span_single
glue("ch5_kfold_span", round(span_kfold, 2), display=False)

# %% [markdown]
# The chosen values now lie within {glue:text}`ch5_kfold_span` decades of each other. Less noise, not
# none: the fold assignment is itself random, and for a final answer on a small data set it can be
# worth averaging CV over several assignments (repeated cross-validation).
#
# (ch5-one-se)=
# ### The one-standard-error rule
#
# The minimum of $\mathrm{CV}(\lambda)$ sits in a flat valley whose floor is known only to about one
# SE. Hastie, Tibshirani and Friedman {cite}`hastie2009elements` (§7.10) recommend the *simplest*
# model whose CV error is within one standard error of the minimum; for a penalty, the simplest model
# is the most strongly penalized one:
#
# $$
# \lambda_{\min} = \operatorname*{arg\,min}_\lambda \mathrm{CV}(\lambda), \qquad
# \lambda_{1\mathrm{SE}} = \max\bigl\{\lambda : \mathrm{CV}(\lambda) \le \mathrm{CV}(\lambda_{\min}) +
# \mathrm{SE}(\lambda_{\min})\bigr\}.
# $$ (eq-cv-one-se)
#
# It is a heuristic for parsimony and stability (glmnet reports it as `lambda.1se`
# {cite}`friedman2010regularization`), not a test of significance. The figure shows the diabetes CV
# curve with $\pm 1$ SE bars and both choices; the ridge degrees of freedom
# $\operatorname{df}(\alpha) = \operatorname{tr}H_\alpha$ ({ref}`ch-overfitting`) measure how much simpler
# the 1-SE model is.

# %%
i_min = cv.best_index
i_1se = one_se_rule(GRID, cv.mean, cv.se)                 # prefer="largest": the strongest penalty
alpha_min, alpha_1se = float(GRID[i_min]), float(GRID[i_1se])
Qs_dev = StandardScaler().fit_transform(Q_dev)            # for the closed forms below (see Pitfalls)
df_min, df_1se = ridge_loocv(Qs_dev, y_dev, alphas=[alpha_min, alpha_1se]).df

fig, ax = plt.subplots()
ax.errorbar(GRID, cv.mean, yerr=cv.se, fmt="o-", ms=3, capsize=2, label="5-fold CV, mean ± SE")
ax.axhline(cv.mean[i_min] + cv.se[i_min], color="0.5", ls=":", lw=1, label="minimum + 1 SE")
ax.axvline(alpha_min, color="C3", ls="--", lw=1.2, label=rf"$\alpha_{{\min}}$ = {alpha_min:.3g}")
ax.axvline(alpha_1se, color="C2", ls="--", lw=1.2, label=rf"$\alpha_{{1SE}}$ = {alpha_1se:.3g}")
ax.set(xscale="log", ylim=(2500, 6500), xlabel=r"ridge strength $\alpha$", ylabel="CV mean squared error",
       title="Diabetes, 64 quadratic features: the minimum and the 1-SE choice")
ax.legend()
plt.show()

print(f"alpha_min = {alpha_min:.3g}: CV = {cv.mean[i_min]:.0f} ± {cv.se[i_min]:.0f}, df = {df_min:.1f}")
print(f"alpha_1se = {alpha_1se:.3g}: CV = {cv.mean[i_1se]:.0f}, df = {df_1se:.1f}")
assert i_1se > i_min and cv.mean[i_1se] <= cv.mean[i_min] + cv.se[i_min] and df_1se < df_min
glue("ch5_alpha_min", sig3(alpha_min), display=False)
glue("ch5_alpha_1se", sig3(alpha_1se), display=False)
glue("ch5_df_min", round(float(df_min), 1), display=False)
glue("ch5_df_1se", round(float(df_1se), 1), display=False)

# %% [markdown]
# The minimum is at $\alpha_{\min} =$ {glue:text}`ch5_alpha_min` ({glue:text}`ch5_df_min` effective
# parameters, intercept included); the 1-SE rule moves to $\alpha_{1\mathrm{SE}} =$
# {glue:text}`ch5_alpha_1se` ({glue:text}`ch5_df_1se`), a markedly simpler model whose CV error cannot
# be told apart from the minimum's.
#
# (ch5-optimism)=
# ### Why the minimum is optimistic
#
# Having chosen $\hat\lambda = \arg\min_\lambda \mathrm{CV}(\lambda)$, it is tempting to report
# $\mathrm{CV}(\hat\lambda)$ as the error we should expect. But for every fixed $\lambda'$,
# $\min_\lambda \mathrm{CV}(\lambda) \le \mathrm{CV}(\lambda')$; taking expectations and then the minimum
# over $\lambda'$,
#
# $$
# \mathbb E\Bigl[\min_\lambda \mathrm{CV}(\lambda)\Bigr] \;\le\; \min_{\lambda}\, \mathbb E\bigl[\mathrm{CV}(\lambda)\bigr],
# $$ (eq-cv-optimism)
#
# with equality only if the same λ wins on every draw of the data. The minimum rewards the candidate
# whose folds happened to be easy: the "winner's curse" of model selection
# {cite}`varma2006bias,cawley2010over`. The size of the effect grows with the noise of the estimates
# and with the number of candidates that are nearly as good.
#
# A case where everything is known checks {eq}`eq-cv-optimism` and its size: $M$ candidates with the
# *same* true error $\mu$, each estimated with independent noise of standard deviation $s$. Then
# $\mathbb E[\min] = \mu - s\,e_M$, where $e_M = \int x\, M\varphi(x)\Phi(x)^{M-1}\,dx$ is the expected
# maximum of $M$ standard normal variables ({glue:text}`ch5_eM` for $M = 20$, computed below): the
# minimum is optimistic by almost two standard deviations although no candidate is better than another.

# %%
M, mu, s_noise = 20, 1.0, 0.1
e_M = integrate.quad(lambda x: x * M * stats.norm.pdf(x) * stats.norm.cdf(x) ** (M - 1), -10, 10)[0]
draws = mu + s_noise * np.random.default_rng(1).standard_normal((100_000, M))   # (draws, candidates)
mins = draws.min(axis=1)
mc_se = mins.std(ddof=1) / np.sqrt(mins.size)
print(f"e_M = {e_M:.4f}; E[min] by formula {mu - s_noise * e_M:.4f}, by Monte Carlo {mins.mean():.4f} "
      f"(SE {mc_se:.4f}); every candidate's true error: {mu}")
assert abs(mins.mean() - (mu - s_noise * e_M)) < 4 * mc_se
glue("ch5_eM", round(e_M, 2), display=False)

# %% [markdown]
# (ch5-nested)=
# ### Nested cross-validation: an honest estimate
#
# To estimate the error of the whole procedure "choose λ by CV, then refit", the procedure itself must
# be cross-validated {cite}`varma2006bias,cawley2010over`. An *outer* $K$-fold split holds out $V_j$; on
# the outer training set $T_j$ alone, an *inner* CV chooses $\hat\lambda_j$; the model refitted on $T_j$
# with $\hat\lambda_j$ is scored on $V_j$, which played no part in the choice:
#
# $$
# \widehat{\mathrm{Err}}_{\text{nested}} = \frac1K\sum_{j=1}^K
# \frac{1}{|V_j|}\sum_{i\in V_j}\bigl(y_i - \hat f^{(-j)}_{\hat\lambda_j}(x_i)\bigr)^2, \qquad
# \hat\lambda_j = \operatorname*{arg\,min}_\lambda \mathrm{CV}^{(T_j)}(\lambda).
# $$ (eq-cv-nested)
#
# The $\hat\lambda_j$ may differ between outer folds, which is the point: the estimate includes the
# variability of the choice. It costs $K$ times an ordinary CV, and it estimates the error of a
# procedure run on $n(K-1)/K$ samples, so it is slightly pessimistic for the final model refitted on
# all $n$. The final model is still chosen by ordinary CV on all the data; nested CV only *reports*.
# On the diabetes data, with a coarser grid of one value per decade to save time:

# %%
GRID_N = GRID[::4]
nested = nested_cv(model, Q_dev, y_dev, param_name="ridge__alpha", values=GRID_N, outer_k=5, inner_k=5,
                   rng=np.random.default_rng(3))
cv_min = non_nested_minimum(cv)
nested_se = nested.std / np.sqrt(nested.outer_scores.size)
print("alpha chosen in each outer fold:", [sig3(a) for a in nested.chosen_values])
print(f"non-nested minimum of CV: {cv_min:.0f};  nested estimate: {nested.mean:.0f} ± {nested_se:.0f} (SE)")
assert abs(nested.mean - cv_min) < nested_se
glue("ch5_cv_min", round(cv_min), display=False)
glue("ch5_nested", round(nested.mean), display=False)
glue("ch5_nested_se", round(nested_se), display=False)

# %% [markdown]
# Every outer fold chose the same $\alpha$, and the nested estimate ({glue:text}`ch5_nested` ±
# {glue:text}`ch5_nested_se`) is within one standard error of the non-nested minimum
# ({glue:text}`ch5_cv_min`): with 354 samples and one hyperparameter, the selection has little room to
# flatter. On one real data set we cannot say which number is closer to the truth; the
# {ref}`simulation below <ch5-simulation>` can, because there the truth is known.
#
# (ch5-loocv)=
# ## Theory: leave-one-out in closed form for ridge
#
# Leave-one-out CV (LOOCV) is $k$-fold with $k = n$: nearly unbiased for the error of a model trained
# on $n$ samples, but $n$ refits per λ. For ridge (and any penalized least squares) the refits are
# unnecessary {cite}`allen1974relationship,golub1979generalized`.
#
# **Setting.** Put the unpenalized intercept into the design, $Z = [\mathbf 1, X]$ with rows $z_i^\top$,
# and the penalty into $P = \operatorname{diag}(0, \alpha I_p)$. Then
# $\hat\theta = A^{-1}Z^\top y$ with $A = Z^\top Z + P$, the fitted values are $\hat y = Hy$ with the hat
# matrix $H = ZA^{-1}Z^\top$, and $h_{ii} = z_i^\top A^{-1} z_i$. (Fitting with an unpenalized intercept
# is the same as centring $X$ and $y$, so this is exactly `ridge(X, y, alpha=α)`, also when sample $i$
# is removed and the remaining $n-1$ are re-centred.)
#
# **Removing one sample** changes $A$ by a rank-one term, $A_{(i)} = A - z_iz_i^\top$, and the
# Sherman–Morrison formula (Sherman and Morrison, 1950) gives its inverse:
#
# $$
# (A - uu^\top)^{-1} = A^{-1} + \frac{A^{-1}uu^\top A^{-1}}{1 - u^\top A^{-1}u}
# \qquad (u^\top A^{-1}u \ne 1).
# $$ (eq-cv-sherman-morrison)
#
# With $u = z_i$ the denominator is $1 - h_{ii}$. The leave-one-out solution is
# $\hat\theta_{(i)} = A_{(i)}^{-1}(Z^\top y - z_iy_i)$; expanding with {eq}`eq-cv-sherman-morrison` and
# $z_i^\top A^{-1}Z^\top y = \hat y_i$,
#
# $$
# \hat\theta_{(i)} = \hat\theta - A^{-1}z_i y_i + \frac{A^{-1}z_i(\hat y_i - h_{ii}y_i)}{1 - h_{ii}}
# = \hat\theta - A^{-1}z_i\,\frac{y_i - \hat y_i}{1 - h_{ii}},
# $$
#
# and the prediction error on the left-out sample is
# $y_i - z_i^\top\hat\theta_{(i)} = (y_i - \hat y_i) + h_{ii}\frac{y_i - \hat y_i}{1-h_{ii}}$, that is
#
# $$
# y_i - \hat y_{(i)} = \frac{y_i - \hat y_i}{1 - h_{ii}}, \qquad
# \mathrm{LOO}(\alpha) = \frac1n\sum_{i=1}^n\Bigl(\frac{y_i - \hat y_i}{1 - h_{ii}}\Bigr)^2 .
# $$ (eq-cv-loo-shortcut)
#
# One fit gives all $n$ leave-one-out residuals (Allen's PRESS statistic). **All** values of $\alpha$
# come from one SVD of the centred design $X_c = UDV^\top$: the intercept direction
# $\mathbf 1/\sqrt n$ is orthogonal to the columns of $X_c$, so
#
# $$
# H_\alpha = \tfrac1n\mathbf 1\mathbf 1^\top + U\operatorname{diag}\Bigl(\frac{d_j^2}{d_j^2+\alpha}\Bigr)U^\top,
# \qquad h_{ii} = \frac1n + \sum_j U_{ij}^2\frac{d_j^2}{d_j^2 + \alpha},
# $$ (eq-cv-hat-svd)
#
# which costs $O(np\min(n,p))$ once and $O(n\min(n,p))$ per $\alpha$, against $n$ ridge fits per
# $\alpha$ for brute force.
#
# **Generalized cross-validation** {cite}`golub1979generalized` replaces each $h_{ii}$ by their average
# $\operatorname{tr}H/n$:
#
# $$
# \mathrm{GCV}(\alpha) = \frac{\frac1n\sum_i (y_i - \hat y_i)^2}{\bigl(1 - \operatorname{tr}H_\alpha/n\bigr)^2}.
# $$ (eq-cv-gcv)
#
# It is invariant to rotations of the problem ($X \to QX$, $y \to Qy$ with $Q$ orthogonal), which LOO is
# not, and it equals LOO exactly when all leverages $h_{ii}$ are equal.
#
# Three checks follow: {eq}`eq-cv-sherman-morrison` on a random matrix; {eq}`eq-cv-loo-shortcut`
# computed from an explicit hat matrix, and `ridge_loocv` (which uses {eq}`eq-cv-hat-svd`), both
# against brute-force refits on the 354 development samples, to a relative error of $10^{-10}$; and
# GCV $=$ LOO on a circulant design, whose hat matrix has a constant diagonal. The refits are counted,
# not timed: a `mock` wrapper around `ridge` counts its calls.

# %%
# Sherman-Morrison on a random symmetric positive definite matrix
G = np.random.default_rng(4).standard_normal((6, 6))
A_sm, u = G @ G.T + 6 * np.eye(6), np.random.default_rng(5).standard_normal(6)
A_inv = np.linalg.inv(A_sm)
sm = A_inv + np.outer(A_inv @ u, u @ A_inv) / (1 - u @ A_inv @ u)
err_sm = checks.assert_close(sm, np.linalg.inv(A_sm - np.outer(u, u)), rtol=1e-12, name="Sherman-Morrison")
print(f"Sherman-Morrison: rel. error {checks.error_bound(err_sm)}")

# the shortcut from an explicit hat matrix H = Z (Z^T Z + P)^{-1} Z^T, on the development data
ALPHAS_CHECK = np.array([1e-2, 1.0, 1e2, 1e4])
Z = np.column_stack([np.ones(n_dev), Qs_dev])                       # (n, p + 1)
loo_hand = []
for a in ALPHAS_CHECK:
    P = a * np.diag(np.r_[0.0, np.ones(p_q)])                       # the intercept is not penalized
    H = Z @ np.linalg.solve(Z.T @ Z + P, Z.T)                       # (n, n)
    resid = y_dev - H @ y_dev
    loo_hand.append(np.mean((resid / (1 - np.diag(H))) ** 2))


def count_ridge_fits(fn):
    """Run fn() and count the calls of regbook's ridge solver (in the estimator and in ridge_selection)."""
    with mock.patch("regbook.np.linear.ridge", wraps=ridge) as a, \
         mock.patch("regbook.np.ridge_selection.ridge", wraps=ridge) as b:
        out = fn()
    return out, a.call_count + b.call_count


brute, n_brute = count_ridge_fits(lambda: ridge_loocv_bruteforce(Qs_dev, y_dev, alphas=ALPHAS_CHECK))
fast, n_fast = count_ridge_fits(lambda: ridge_loocv(Qs_dev, y_dev, alphas=ALPHAS_CHECK))
_, n_kfold = count_ridge_fits(lambda: cross_val_grid(Ridge(), Qs_dev, y_dev, param_name="alpha",
                                                     values=ALPHAS_CHECK, folds=folds))
err_hand_loo = checks.assert_close(loo_hand, brute, rtol=1e-10, name="eq-cv-loo-shortcut vs refits")
err_loo = checks.assert_close(fast.loo_mse, brute, rtol=1e-10, name="ridge_loocv vs brute force")
print(f"explicit hat matrix vs {n_brute} refits: rel. error {checks.error_bound(err_hand_loo)}")
print(f"ridge_loocv vs {n_brute} refits: rel. error {checks.error_bound(err_loo)}")
print(f"ridge fits for {ALPHAS_CHECK.size} values of alpha: brute-force LOO {n_brute}, "
      f"ridge_loocv {n_fast} (one SVD), 5-fold CV {n_kfold}")
assert (n_brute, n_fast, n_kfold) == (n_dev * ALPHAS_CHECK.size, 0, K * ALPHAS_CHECK.size)

# GCV = LOO when all leverages are equal: a circulant design (no intercept), h_ii = tr(H) / n
X_circ = linalg.circulant(np.random.default_rng(6).standard_normal(16))
y_circ = np.random.default_rng(7).standard_normal(16)
circ = ridge_loocv(X_circ, y_circ, alphas=[0.1, 1.0, 10.0], fit_intercept=False)
err_circ = checks.assert_close(circ.gcv, circ.loo_mse, rtol=1e-10, name="GCV vs LOO, circulant design")
print(f"circulant design: GCV vs LOO rel. error {checks.error_bound(err_circ)}")
glue("ch5_n_brute", n_brute, display=False)

# %% [markdown]
# The closed form agrees with {glue:text}`ch5_n_brute` refits to rounding error and needed none. On
# the diabetes data the LOO and GCV curves are close to each other and to the 5-fold curve (which, with
# training sets of $4n/5$, sits slightly higher):

# %%
loo = ridge_loocv(Qs_dev, y_dev, alphas=GRID)
fig, ax = plt.subplots()
ax.plot(GRID, cv.mean, "o-", ms=3, label="5-fold CV (standardized inside the folds)")
ax.plot(GRID, loo.loo_mse, "s-", ms=3, label="LOOCV, closed form")
ax.plot(GRID, loo.gcv, "--", label="GCV")
ax.set(xscale="log", ylim=(2500, 6500), xlabel=r"ridge strength $\alpha$", ylabel="estimated MSE",
       title="Three estimates of the error curve, one SVD for the last two")
ax.legend()
plt.show()
choices = {"5-fold CV": cv.best_value, "LOOCV": loo.best_alpha_loo, "GCV": loo.best_alpha_gcv}
print("alpha chosen by", ", ".join(f"{k}: {v:.3g}" for k, v in choices.items()))
steps = np.abs(np.log10(np.array(list(choices.values())) / cv.best_value)) / np.log10(GRID[1] / GRID[0])
assert steps.max() <= 2.01                                      # within two grid steps of each other
assert checks.rel_error(loo.gcv, loo.loo_mse) < 0.05            # LOO and GCV close everywhere
assert cv.mean.min() > loo.loo_mse.min()                        # 5-fold (4n/5 per fit) sits higher

# %% [markdown]
# (ch5-lasso)=
# ## Theory: the lasso, along its path and by information criteria
#
# ### Cross-validation along the path, with warm starts
#
# The lasso has no closed form, but its solutions change continuously with $\alpha$. `lasso_cv` (like
# scikit-learn's `LassoCV` and glmnet's `cv.glmnet` {cite}`friedman2010regularization`) fixes one
# decreasing grid $\alpha_m = \alpha_{\max}\varepsilon^{m/(M-1)}$ on all the data, and for each fold
# runs one coordinate-descent path over it, each fit starting from the previous solution (a *warm
# start*, 热启动). The validation error of every point of every path is kept:
#
# $$
# \mathrm{CV}(\alpha_m) = \frac1k\sum_{j=1}^k \frac{1}{|V_j|}
# \bigl\lVert y_{V_j} - X_{V_j}\hat w^{(-j)}(\alpha_m) - \hat b^{(-j)}(\alpha_m)\bigr\rVert^2 .
# $$ (eq-cv-lasso-path)
#
# The check compares the total number of coordinate-descent iterations along the path with warm starts
# against solving each $\alpha_m$ from zero, and that both reach the same solutions.

# %%
lcv = lasso_cv(Qs_dev, y_dev, folds=folds, n_alphas=40, eps=1e-2, tol=1e-8, max_iter=100_000)
warm = lasso_path(Qs_dev, y_dev, alphas=lcv.alphas, tol=1e-8, max_iter=100_000)
cold = [lasso(Qs_dev, y_dev, alpha=a, tol=1e-8, max_iter=100_000) for a in lcv.alphas]
cold_coefs = np.column_stack([c.coef for c in cold])
n_warm, n_cold = int(warm.n_iters.sum()), int(sum(c.n_iter for c in cold))
gap = np.abs(warm.coefs - cold_coefs).max() / np.abs(cold_coefs).max()
print(f"40 values of alpha: {n_warm} iterations with warm starts, {n_cold} from zero "
      f"({cold[-1].n_iter} for the smallest alpha alone); "
      f"max coefficient difference {checks.error_bound(gap, floor=1e-6)} (relative)")
assert n_warm < n_cold / 5 and gap < 1e-5
i_lmin, i_l1se = int(np.argmin(lcv.mean)), int(np.flatnonzero(lcv.alphas == lcv.alpha_1se)[0])
nnz_path = np.count_nonzero(warm.coefs, axis=0)
print(f"alpha_min = {lcv.alpha_min:.3g} ({nnz_path[i_lmin]} non-zero coefficients), "
      f"alpha_1se = {lcv.alpha_1se:.3g} ({nnz_path[i_l1se]} non-zero)")
glue("ch5_n_warm", n_warm, display=False)
glue("ch5_n_cold", n_cold, display=False)

# %% [markdown]
# Warm starts need {glue:text}`ch5_n_warm` iterations for the whole path where cold starts need
# {glue:text}`ch5_n_cold`, and they reach the same solutions. Each fold of `lasso_cv` runs one such
# path.
#
# ### Degrees of freedom and information criteria
#
# An information criterion replaces the validation set by a penalty on complexity. For a Gaussian
# model with noise variance $\sigma^2$ and $\mathrm{RSS}(\alpha) = \lVert y - X\hat w_\alpha - \hat b\rVert^2$,
#
# $$
# \mathrm{AIC}(\alpha) = n\log(2\pi\sigma^2) + \frac{\mathrm{RSS}(\alpha)}{\sigma^2} + 2\,\mathrm{df}(\alpha),
# \qquad
# \mathrm{BIC}(\alpha) = n\log(2\pi\sigma^2) + \frac{\mathrm{RSS}(\alpha)}{\sigma^2} + \log(n)\,\mathrm{df}(\alpha)
# $$ (eq-cv-ic)
#
# {cite}`akaike1974new,schwarz1978estimating`. Both need the degrees of freedom of a fit, and for an
# adaptive procedure like the lasso, which both selects and shrinks, it is not obvious what they are.
# Efron's general definition {cite}`efron2004estimation` measures how strongly each fitted value follows
# its own observation:
#
# $$
# \mathrm{df} = \frac{1}{\sigma^2}\sum_{i=1}^n \operatorname{Cov}(\hat y_i, y_i),
# \qquad\text{and for the lasso}\qquad
# \mathrm{df}(\alpha) = \mathbb E\bigl[\#\{j : \hat w_j(\alpha) \ne 0\}\bigr]
# $$ (eq-cv-lasso-df)
#
# {cite}`zou2007degrees,tibshirani2012degrees`: the number of non-zero coefficients is an unbiased
# estimate of the degrees of freedom. (Selection alone would add degrees of freedom, shrinkage removes
# them; for the lasso the two cancel exactly.) For ridge the same definition gives
# $\operatorname{tr}H_\alpha$. BIC's penalty $\log n$ exceeds AIC's 2 once $n \ge 8$, so BIC picks
# sparser models.
#
# The check simulates $y = f + \sigma\varepsilon$ many times on the diabetes design, fits the lasso at a
# fixed $\alpha$, and compares the covariance definition with the average number of non-zeros
# (`lasso_df_simulation`), at two values of $\alpha$. The criteria themselves come from
# `lasso_information_criteria`, which estimates $\sigma^2$ from the least-squares fit, as scikit-learn's
# `LassoLarsIC` does.

# %%
ic = lasso_information_criteria(Qs_dev, y_dev)
f_true = Qs_dev @ lasso(Qs_dev, y_dev, alpha=ic.alpha_bic, tol=1e-10, max_iter=100_000).coef  # centred
print(f"{'alpha':>8} {'df (covariance)':>16} {'mean non-zeros':>15} {'|diff| / SE':>12}")
for a in (ic.alpha_bic, lcv.alpha_1se):
    sim = lasso_df_simulation(Qs_dev, f_true, alpha=a, noise_std=np.sqrt(ic.noise_variance), n_sim=200,
                              rng=np.random.default_rng(8))
    z = abs(sim.df_cov - sim.mean_nnz) / sim.se
    print(f"{a:8.3g} {sim.df_cov:16.2f} {sim.mean_nnz:15.2f} {z:12.2f}")
    assert z < 4

# %% [markdown]
# Within Monte Carlo error the two agree. The AIC and BIC curves and the CV curve of the lasso:

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
ax0.errorbar(lcv.alphas, lcv.mean, yerr=lcv.se, fmt="o-", ms=3, capsize=2, label="5-fold CV, mean ± SE")
ax0.axvline(lcv.alpha_min, color="C3", ls="--", label=rf"$\alpha_{{\min}}$ = {lcv.alpha_min:.3g}")
ax0.axvline(lcv.alpha_1se, color="C2", ls="--", label=rf"$\alpha_{{1SE}}$ = {lcv.alpha_1se:.3g}")
ax0.set(xscale="log", xlabel=r"lasso strength $\alpha$", ylabel="CV mean squared error",
        title="Lasso CV along the path (warm starts)")
ax0.legend()
ax1.plot(ic.alphas, ic.aic - ic.aic.min(), label="AIC − min")
ax1.plot(ic.alphas, ic.bic - ic.bic.min(), label="BIC − min")
ax1.axvline(ic.alpha_aic, color="C0", ls="--", lw=1)
ax1.axvline(ic.alpha_bic, color="C1", ls="--", lw=1)
ax1.set(xscale="log", ylim=(-5, 80), xlabel=r"lasso strength $\alpha$", ylabel="criterion − its minimum",
        title="Information criteria, df = number of non-zeros")
ax1.legend()
plt.show()
nnz_at = {name: int(np.count_nonzero(lasso(Qs_dev, y_dev, alpha=a, tol=1e-10, max_iter=100_000).coef))
          for name, a in (("AIC", ic.alpha_aic), ("BIC", ic.alpha_bic), ("CV min", lcv.alpha_min),
                          ("CV 1-SE", lcv.alpha_1se))}
print("non-zero coefficients:", ", ".join(f"{k} {v}" for k, v in nnz_at.items()))
assert ic.alpha_bic > ic.alpha_aic and nnz_at["BIC"] < nnz_at["AIC"]
glue("ch5_nnz_aic", nnz_at["AIC"], display=False)
glue("ch5_nnz_bic", nnz_at["BIC"], display=False)

# %% [markdown]
# The criteria are jagged because df jumps by one whenever a feature enters or leaves the model. AIC
# keeps {glue:text}`ch5_nnz_aic` of the 64 features, BIC {glue:text}`ch5_nnz_bic`. One lasso path,
# no refitting on folds: information criteria are the cheapest choice, at the price of a model
# assumption (Gaussian noise, a good estimate of $\sigma^2$, which needs $n > p$).
#
# (ch5-evidence)=
# ## Theory: choosing λ without a grid
#
# ### Empirical Bayes for ridge: maximizing the evidence
#
# The ridge chapter showed that ridge is the posterior mean of a Gaussian model. Make its two
# precisions explicit: noise $\varepsilon \sim N(0, b^{-1}I)$ and prior $w \sim N(0, a^{-1}I)$ (the
# intercept and centring aside). Integrating $w$ out, $y \sim N(0, C)$ with $C = b^{-1}I + a^{-1}XX^\top$,
# and the *evidence* (marginal likelihood, 边缘似然) of the two precisions is
#
# $$
# \log p(y \mid a, b) = -\tfrac12 y^\top C^{-1}y - \tfrac12\log\lvert C\rvert - \tfrac n2\log 2\pi .
# $$ (eq-cv-evidence)
#
# Empirical Bayes {cite}`mackay1992bayesian,bishop2006pattern` maximizes {eq}`eq-cv-evidence` over
# $(a, b)$ and uses the posterior mean $m = bA^{-1}X^\top y$, $A = aI + bX^\top X$: ridge with
# $\alpha = a/b$. Setting the derivatives to zero (Bishop §3.5.2) gives MacKay's fixed-point updates,
# with $d_j^2$ the eigenvalues of $X^\top X$:
#
# $$
# \gamma = \sum_j \frac{b\,d_j^2}{a + b\,d_j^2}, \qquad
# a \leftarrow \frac{\gamma}{\lVert m\rVert^2}, \qquad
# b \leftarrow \frac{n - \gamma}{\lVert y - Xm\rVert^2}.
# $$ (eq-cv-mackay)
#
# $\gamma$ is the effective number of parameters (the ridge degrees of freedom at $\alpha = a/b$). No
# grid, no folds: one SVD and a few dozen scalar updates. With an intercept, `ridge_evidence` integrates
# it out under a flat prior, which leaves $n - 1$ data dimensions in {eq}`eq-cv-mackay`.
#
# The check, on centred diabetes data without intercept: the log evidence `ridge_evidence` reports
# equals {eq}`eq-cv-evidence` evaluated directly as a multivariate normal density by SciPy, and its
# numerical gradient in $(\log a, \log b)$ vanishes at the fixed point.

# %%
y_c = y_dev - y_dev.mean()
ev0 = ridge_evidence(Qs_dev, y_c, fit_intercept=False)


def log_evidence(log_ab):
    """eq-cv-evidence as a Gaussian density of y: y ~ N(0, I/b + X X^T / a)."""
    a, b = np.exp(log_ab)
    return stats.multivariate_normal(np.zeros(n_dev), np.eye(n_dev) / b + Qs_dev @ Qs_dev.T / a).logpdf(y_c)


t_hat = np.log([ev0.weight_precision, ev0.noise_precision])
err_ev = checks.assert_close(ev0.log_evidence, log_evidence(t_hat), rtol=1e-10, name="log evidence")
g_hat = checks.numerical_gradient(log_evidence, t_hat, h=1e-5)
g_start = checks.numerical_gradient(log_evidence, np.log([1.0, 1.0 / np.var(y_c)]), h=1e-5)
ratio = np.linalg.norm(g_hat) / np.linalg.norm(g_start)
print(f"converged in {ev0.n_iter} updates; log evidence vs SciPy: rel. error {checks.error_bound(err_ev)}")
print(f"|gradient| at the fixed point / at the start: {checks.error_bound(ratio, floor=1e-6)}")
assert ev0.converged and ratio < 1e-5
assert np.all(np.diff(ev0.history.log_evidence) > -1e-8)   # the evidence rose at every update here

# %% [markdown]
# (ch5-adaptive)=
# ### The adaptive lasso
#
# The lasso penalizes every coefficient equally, so the large, important ones are shrunk as much as the
# small ones it should remove; choosing $\alpha$ by CV then tends to keep extra features to reduce that
# bias. Zou's adaptive lasso {cite}`zou2006adaptive` gives each coefficient its own weight from a first
# estimate $\tilde\beta$ (here ridge, with $\alpha$ by closed-form LOOCV):
#
# $$
# \hat\beta = \operatorname*{arg\,min}_{\beta, b}\; \frac1{2n}\lVert y - X\beta - b\mathbf 1\rVert^2
# + \alpha\sum_j \omega_j\lvert\beta_j\rvert, \qquad \omega_j = \lvert\tilde\beta_j\rvert^{-\gamma}.
# $$ (eq-cv-adaptive)
#
# Large first estimates get small weights and little shrinkage; small ones are pushed to zero. With a
# suitable $\alpha_n$ and a consistent $\tilde\beta$ it selects the true support with probability
# tending to one (the "oracle property"), which the lasso does only under restrictive conditions on
# $X$. Substituting $\theta_j = \omega_j\beta_j$ turns {eq}`eq-cv-adaptive` into an ordinary lasso on
# the rescaled columns $X_j/\omega_j$, so every lasso tool (paths, CV, information criteria) applies
# unchanged. Iterating the reweighting gives the reweighted $\ell_1$ scheme of
# {cite}`candes2008enhancing`. The check: `adaptive_lasso` equals a plain lasso on the rescaled design,
# mapped back.

# %%
P_AL, S_AL = 20, 20                                   # features, seeds of the experiment below
beta_true = np.zeros(P_AL)
beta_true[[0, 1, 4]] = [3.0, 1.5, 2.0]
cov_al = 0.5 ** np.abs(np.subtract.outer(np.arange(P_AL), np.arange(P_AL)))
chol_al = np.linalg.cholesky(cov_al)


def make_sparse(n, r, sigma=2.0):
    """Zou's first example widened to 20 features: correlation 0.5^|i-j|, three non-zero coefficients."""
    X = r.standard_normal((n, P_AL)) @ chol_al.T
    return X, X @ beta_true + sigma * r.standard_normal(n)


X_al, y_al = make_sparse(100, np.random.default_rng(9))
weights, beta_init = adaptive_weights(X_al, y_al)
theta = lasso(X_al / weights, y_al, alpha=0.05, tol=1e-12, max_iter=100_000).coef
ada = adaptive_lasso(X_al, y_al, alpha=0.05, tol=1e-12, max_iter=100_000)
err_ada = checks.assert_close(ada.coef, theta / weights, rtol=1e-8, name="adaptive lasso vs rescaled lasso")
print(f"adaptive_lasso vs lasso on X_j / w_j: rel. error {checks.error_bound(err_ada, floor=1e-8)}")
print("weights of the true features:", np.round(weights[[0, 1, 4]], 2).tolist(),
      "; median weight of the others:", round(float(np.median(np.delete(weights, [0, 1, 4]))), 1))

# %% [markdown]
# ## From scratch in NumPy
#
# The heart of `cross_val_grid` is two short functions: one task clones the estimator, sets the value,
# fits on the training part and scores the validation part; the grid is a flat list of such tasks handed
# to `joblib.Parallel`, whose results come back in order and are reshaped into the
# $n_\lambda \times k$ table of {eq}`eq-cv-kfold`.

# %%
regbook.show_source(cross_validation._fit_and_score)
print()
regbook.show_source(cross_validation._cv_grid)

# %% [markdown]
# The one-standard-error rule {eq}`eq-cv-one-se` is three lines after validation:

# %%
regbook.show_source(cross_validation._one_se)

# %% [markdown]
# and the closed-form LOOCV and GCV follow {eq}`eq-cv-loo-shortcut`–{eq}`eq-cv-gcv`. Instead of
# $1 - h_{ii}$ it computes the complement $I - H$ directly, which keeps the small leverages of a
# nearly interpolating fit ($p \ge n$, small $\alpha$) accurate:

# %%
regbook.show_source(ridge_loocv)

# %% [markdown]
# (ch5-sklearn)=
# ## The scikit-learn way, and parity
#
# scikit-learn does all of this well, and regbook's estimators are scikit-learn compatible, so they go
# straight into its tools. Each cell below runs the idiomatic scikit-learn call on the *same folds* and
# checks that it agrees with regbook.
#
# **`GridSearchCV` and `validation_curve`.** One detail matters for the 1-SE rule: scikit-learn's
# `std_test_score` is the standard deviation of the fold scores with `ddof=0`, not a standard error.
# The SE of {eq}`eq-cv-kfold` is `std_test_score / sqrt(k - 1)`.

# %%
search = GridSearchCV(model, {"ridge__alpha": GRID}, cv=folds, scoring="neg_mean_squared_error").fit(Q_dev, y_dev)
res_sk = search.cv_results_
err_gs = checks.assert_close(-res_sk["mean_test_score"], cv.mean, rtol=1e-10, name="GridSearchCV mean")
err_se = checks.assert_close(res_sk["std_test_score"] / np.sqrt(K - 1), cv.se, rtol=1e-10, name="SE")
print(f"GridSearchCV vs cross_val_grid: mean CV rel. error {checks.error_bound(err_gs)}, "
      f"SE rel. error {checks.error_bound(err_se)}; best alpha {search.best_params_['ridge__alpha']:.3g} "
      f"vs {cv.best_value:.3g}")
assert search.best_params_["ridge__alpha"] == cv.best_value

train_sc, val_sc = validation_curve(model, Q_dev, y_dev, param_name="ridge__alpha", param_range=GRID,
                                   cv=folds, scoring="neg_mean_squared_error")
err_vc = checks.assert_close(-val_sc, cv.fold_scores, rtol=1e-10, name="validation_curve")
print(f"validation_curve vs cross_val_grid, every fold: rel. error {checks.error_bound(err_vc)}")
ax = plotting.plot_validation_curve(GRID, -train_sc, -val_sc, xlabel=r"ridge strength $\alpha$",
                                    ylabel="mean squared error (band: ± 1 std over folds)",
                                    title="sklearn validation_curve with regbook's Ridge")
ax.set_ylim(0, 8000)
plt.show()

# %% [markdown]
# **Nested CV.** The idiomatic scikit-learn form puts a `GridSearchCV` inside `cross_validate`. To
# compare with `nested_cv` fold by fold we run the same outer and inner folds: `nested_cv` draws the
# outer folds and then each inner split from its generator in order, so replaying the same draws with
# `kfold_indices` reproduces them exactly.

# %%
gen = np.random.default_rng(3)                                  # the generator nested_cv was given
outer = kfold_indices(n_dev, k=5, rng=gen)
inner = [kfold_indices(tr.size, k=5, rng=gen) for tr, _ in outer]
chosen_sk, scores_sk = [], []
for (tr, val), inner_folds in zip(outer, inner):
    gs = GridSearchCV(model, {"ridge__alpha": GRID_N}, cv=inner_folds,
                      scoring="neg_mean_squared_error").fit(Q_dev[tr], y_dev[tr])
    chosen_sk.append(gs.best_params_["ridge__alpha"])
    scores_sk.append(np.mean((y_dev[val] - gs.predict(Q_dev[val])) ** 2))
assert np.array_equal(chosen_sk, nested.chosen_values)
err_nest = checks.assert_close(scores_sk, nested.outer_scores, rtol=1e-10, name="nested outer scores")
print(f"GridSearchCV in each outer fold vs nested_cv: same alphas, outer scores rel. error "
      f"{checks.error_bound(err_nest)}")

# the one-liner; its inner folds are KFold's own, so the number differs slightly
one_liner = cross_validate(GridSearchCV(model, {"ridge__alpha": GRID_N}, scoring="neg_mean_squared_error",
                                        cv=KFold(5, shuffle=True, random_state=0)),
                           Q_dev, y_dev, cv=outer, scoring="neg_mean_squared_error")
est_sk = -one_liner["test_score"].mean()
print(f"cross_validate(GridSearchCV(...)): nested estimate {est_sk:.0f} (nested_cv: {nested.mean:.0f} ± "
      f"{nested_se:.0f})")
assert abs(est_sk - nested.mean) < 2 * nested_se

# %% [markdown]
# **`RidgeCV`** uses the closed-form leave-one-out error by default. Its option is called `gcv_mode`,
# but what it computes is exact LOOCV {eq}`eq-cv-loo-shortcut`, not GCV {eq}`eq-cv-gcv`; with
# `store_cv_results=True` it returns the $n$ squared leave-one-out residuals for every $\alpha$.

# %%
rcv = RidgeCV(alphas=GRID, gcv_mode="svd", store_cv_results=True).fit(Qs_dev, y_dev)
err_rcv = checks.assert_close(rcv.cv_results_.mean(axis=0), loo.loo_mse, rtol=1e-10, name="RidgeCV")
print(f"RidgeCV vs ridge_loocv: LOO curve rel. error {checks.error_bound(err_rcv)}; "
      f"alpha {rcv.alpha_:.3g} vs {loo.best_alpha_loo:.3g}; "
      f"RidgeCV vs GCV: rel. difference {checks.rel_error(rcv.cv_results_.mean(axis=0), loo.gcv):.2g}")
assert rcv.alpha_ == loo.best_alpha_loo and checks.rel_error(rcv.cv_results_.mean(axis=0), loo.gcv) > 1e-3

# %% [markdown]
# **`LassoCV`** on the same folds and the same grid (both solvers run to a tight tolerance, so that
# the comparison measures the algorithms and not their stopping rules):

# %%
lcv_sk = LassoCV(alphas=lcv.alphas, cv=folds, tol=1e-8, max_iter=100_000).fit(Qs_dev, y_dev)
err_path = checks.assert_close(lcv_sk.mse_path_, lcv.mse_path, rtol=1e-6, name="LassoCV mse_path_")
err_coef = checks.assert_close(lcv_sk.coef_, lcv.coef, rtol=1e-4, name="LassoCV coef_")
print(f"LassoCV vs lasso_cv: fold errors rel. error {checks.error_bound(err_path, floor=1e-6)}, "
      f"alpha {lcv_sk.alpha_:.3g} vs {lcv.alpha_min:.3g}, coefficients rel. error "
      f"{checks.error_bound(err_coef, floor=1e-6)}")
assert lcv_sk.alpha_ == lcv.alpha_min

# %% [markdown]
# **`LassoLarsIC`** evaluates AIC and BIC at the knots of the LARS path {cite}`efron2004least`, where
# the support changes; `lasso_information_criteria` evaluates them on a grid. Within a segment of
# constant support the criterion only grows with $\alpha$, so the exact minimizer is at a knot and a
# grid finds it up to one grid step. They agree on the noise variance and on the selected model:

# %%
for crit, alpha_rb in (("aic", ic.alpha_aic), ("bic", ic.alpha_bic)):
    lars_ic = LassoLarsIC(criterion=crit).fit(Qs_dev, y_dev)
    coef_rb = lasso(Qs_dev, y_dev, alpha=alpha_rb, tol=1e-10, max_iter=100_000).coef
    same = np.array_equal(coef_rb != 0, lars_ic.coef_ != 0)
    print(f"{crit.upper()}: LassoLarsIC alpha {lars_ic.alpha_:.4g} (knot), regbook {alpha_rb:.4g} (grid); "
          f"same support: {same}; noise variance rel. error "
          f"{checks.error_bound(checks.rel_error(lars_ic.noise_variance_, ic.noise_variance))}")
    assert same and lars_ic.alpha_ <= alpha_rb and checks.rel_error(lars_ic.noise_variance_, ic.noise_variance) < 1e-10

# %% [markdown]
# **`BayesianRidge`** maximizes the same evidence, with swapped names: its `alpha_` is the **noise**
# precision $b$ and its `lambda_` the **weight** precision $a$ (MacKay and Bishop write $\beta$ and
# $\alpha$), so the equivalent `Ridge(alpha)` is `lambda_ / alpha_`. Without intercept the two agree.
# With an intercept, scikit-learn centres the data but still counts $n$ data dimensions instead of
# $n - 1$; its noise precision is then larger by the factor $(n - \gamma)/(n - 1 - \gamma)$, which the
# second part of the cell confirms.

# %%
br0 = BayesianRidge(fit_intercept=False, tol=1e-12, max_iter=10_000).fit(Qs_dev, y_c)
err_b = checks.rel_error(br0.alpha_, ev0.noise_precision)
err_a = checks.rel_error(br0.lambda_, ev0.weight_precision)
err_w = checks.rel_error(br0.coef_, ridge(Qs_dev, y_c, alpha=ev0.alpha, fit_intercept=False).coef)
print(f"no intercept: alpha_ vs noise precision {checks.error_bound(err_b, floor=1e-6)}, lambda_ vs weight "
      f"precision {checks.error_bound(err_a, floor=1e-6)}, coef_ {checks.error_bound(err_w, floor=1e-6)}")
assert max(err_b, err_a, err_w) < 1e-5

ev = ridge_evidence(Qs_dev, y_dev)                                # with intercept
br = BayesianRidge(tol=1e-12, max_iter=10_000).fit(Qs_dev, y_dev)
d2 = np.linalg.svd(Qs_dev - Qs_dev.mean(axis=0), compute_uv=False) ** 2
gamma = float(np.sum(ev.noise_precision * d2 / (ev.weight_precision + ev.noise_precision * d2)))
print(f"with intercept: BayesianRidge alpha_ / noise precision = {br.alpha_ / ev.noise_precision:.5f}, "
      f"(n - gamma) / (n - 1 - gamma) = {(n_dev - gamma) / (n_dev - 1 - gamma):.5f}; "
      f"ridge alpha {ev.alpha:.4g} (regbook) vs {br.lambda_ / br.alpha_:.4g} (sklearn)")
assert abs(br.alpha_ / ev.noise_precision - (n_dev - gamma) / (n_dev - 1 - gamma)) < 1e-4
assert max(cv.best_value, loo.best_alpha_loo) / ev.alpha < 2 and ev.alpha / min(cv.best_value, loo.best_alpha_loo) < 2
glue("ch5_alpha_ev", round(ev.alpha, 1), display=False)
glue("ch5_gamma_ev", round(gamma, 1), display=False)

# %% [markdown]
# The evidence chooses $\alpha =$ {glue:text}`ch5_alpha_ev` ($\gamma =$ {glue:text}`ch5_gamma_ev`
# effective parameters) without a grid, within a factor of two of the CV choices above. How the choices compare
# on the test set is part of the {ref}`recipe <ch5-recipe>`.
#
# (ch5-simulation)=
# ## Experiment: how optimistic is the minimum, and is nested CV honest?
#
# On real data the true error of a model is unknown. In a simulation it is not. We draw 40 data sets of
# $n = 30$ samples with $p = 60$ standard normal features, $y = x^\top w + \varepsilon$ with a fixed
# dense $w$ ($\lVert w\rVert \approx 1$) and noise variance 1: the small-sample, many-feature regime
# where these questions matter most {cite}`varma2006bias`. For each data set we record
#
# - the minimum of 5-fold CV over an 11-value grid, and the true error of the ridge model refitted on
#   all 30 samples at that $\hat\alpha$;
# - the minimum of closed-form LOOCV (scikit-learn's `RidgeCV.best_score_`), and the true error at its
#   $\hat\alpha$;
# - the nested estimate of the 5-fold procedure (outer 5 folds, inner 3 folds, to save time).
#
# For isotropic Gaussian features the true error is exactly
# $\mathrm{Err}(\hat w, \hat b) = \sigma^2 + \lVert\hat w - w\rVert^2 + \hat b^2$; the cell also checks
# this against a fresh test set of 20 000 samples.

# %%
N_SIM, P_SIM, S_SIM = 30, 60, 40
w_sim = np.random.default_rng(5).standard_normal(P_SIM) / np.sqrt(P_SIM)
GRID_SIM = log_grid(1e-1, 1e4, 11)


def make_dense(n, r):
    X = r.standard_normal((n, P_SIM))
    return X, X @ w_sim + r.standard_normal(n)


def true_error(fit):
    """Expected squared error on a new sample: noise + ||w_hat - w||^2 + b_hat^2 (x ~ N(0, I))."""
    return 1.0 + np.sum((fit.coef - w_sim) ** 2) + fit.intercept ** 2


X_big, y_big = make_dense(20_000, np.random.default_rng(999))
rows = []
for s in range(S_SIM):
    r = np.random.default_rng(s)
    X, y = make_dense(N_SIM, r)
    cv_s = cross_val_grid(Ridge(), X, y, param_name="alpha", values=GRID_SIM, k=5, rng=r)
    loo_s = ridge_loocv(X, y, alphas=GRID_SIM)
    nest_s = nested_cv(Ridge(), X, y, param_name="alpha", values=GRID_SIM, outer_k=5, inner_k=3, rng=r)
    fit_cv, fit_loo = ridge(X, y, alpha=cv_s.best_value), ridge(X, y, alpha=loo_s.best_alpha_loo)
    rows.append((non_nested_minimum(cv_s), true_error(fit_cv), loo_s.loo_mse.min(), true_error(fit_loo),
                 nest_s.mean))
    if s == 0:   # the exact formula against a large fresh test set
        test_mse = np.mean((y_big - X_big @ fit_cv.coef - fit_cv.intercept) ** 2)
        sq = (y_big - X_big @ fit_cv.coef - fit_cv.intercept) ** 2
        assert abs(test_mse - true_error(fit_cv)) < 4 * sq.std() / np.sqrt(sq.size)
        print(f"data set 0: true error {true_error(fit_cv):.4f}, fresh test set of 20000: {test_mse:.4f}")
R = np.array(rows)
cv_min_s, true_cv, loo_min_s, true_loo, nested_s = R.T


def mean_se(d):
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size))


diffs = {"min 5-fold CV − true error": cv_min_s - true_cv,
         "min LOOCV − true error": loo_min_s - true_loo,
         "nested CV − true error (5-fold choice)": nested_s - true_cv}
for name, d in diffs.items():
    m, se = mean_se(d)
    print(f"{name:<40} {m:+.3f} ± {se:.3f}   (below the truth in {np.mean(d < 0):.0%} of data sets)")
print(f"mean true error of the 5-fold choice: {true_cv.mean():.3f}")

fig, ax = plt.subplots()
ax.boxplot(list(diffs.values()), showmeans=True)
ax.set_xticks([1, 2, 3], ["min 5-fold CV", "min LOOCV", "nested CV"])
ax.axhline(0, color="0.4", lw=1)
ax.set(ylabel="estimate − true error (triangles: means)",
       title=f"Error estimates on {S_SIM} simulated data sets (n = 30, p = 60)")
plt.show()

m_cv, se_cv = mean_se(diffs["min 5-fold CV − true error"])
m_loo, se_loo = mean_se(diffs["min LOOCV − true error"])
m_nest, se_nest = mean_se(diffs["nested CV − true error (5-fold choice)"])
assert m_cv < 0 and m_loo < -2 * se_loo and m_loo < m_cv   # the minima are optimistic, LOO's most
assert abs(m_nest) < 2 * se_nest                            # nested CV: no significant bias
glue("ch5_sim_cv", round(-m_cv, 3), display=False)
glue("ch5_sim_cv_se", round(se_cv, 3), display=False)
glue("ch5_sim_loo", round(-m_loo, 3), display=False)
glue("ch5_sim_loo_se", round(se_loo, 3), display=False)
glue("ch5_sim_nest", round(m_nest, 3), display=False)
glue("ch5_sim_nest_se", round(se_nest, 3), display=False)
glue("ch5_sim_true", round(float(true_cv.mean()), 3), display=False)
glue("ch5_sim_loo_rel", round(float(-m_loo / true_loo.mean() * 100)), display=False)

# %% [markdown]
# On average the minimum of 5-fold CV is below the true error of the model it picks by
# {glue:text}`ch5_sim_cv` ± {glue:text}`ch5_sim_cv_se`, and the minimum of LOOCV by
# {glue:text}`ch5_sim_loo` ± {glue:text}`ch5_sim_loo_se` (about {glue:text}`ch5_sim_loo_rel` % of the
# error). The nested estimate differs from the true error by {glue:text}`ch5_sim_nest` ±
# {glue:text}`ch5_sim_nest_se`, no significant bias (the true error itself averages
# {glue:text}`ch5_sim_true`). Two biases compete in the 5-fold minimum: selection makes it optimistic
# {eq}`eq-cv-optimism`, and training on $4n/5$ samples makes it pessimistic. LOOCV trains on $n - 1$
# samples, so almost nothing offsets its optimism, and it is the larger of the two here. With one λ on a
# grid the effect is moderate; it grows with the size of the search (several hyperparameters, many model
# families, feature selection), where Cawley and Talbot {cite}`cawley2010over` find selection biases
# comparable to the differences in performance between the learning algorithms being compared. Nested
# CV removes the optimism, at $K$ times the cost and with an estimate that, training on $4n/5$ samples,
# is if anything slightly pessimistic. Whatever the size of the effect, the number to report is the
# nested one.
#
# ## Experiment: does the adaptive lasso find the right features?
#
# With the design of Zou's first example {cite}`zou2006adaptive`, widened from 8 to 20 correlated
# features (3 of them non-zero, $n = 100$, noise standard deviation 2), over 20 seeds, we compare the
# lasso and the adaptive lasso under three rules for $\alpha$: the CV minimum, the 1-SE rule, and BIC. For the adaptive lasso the same rule is applied to
# the lasso path on the rescaled design $X_j/\omega_j$. (The ridge weights are computed once from all the
# training data, as in Zou's paper, so the CV of the second stage does not re-estimate them.) Recorded:
# how often the selected set is exactly $\{1, 2, 5\}$, the false positives and false negatives, and the
# coefficient error $\lVert\hat\beta - \beta\rVert$.

# %%
rules = ("CV min", "CV 1-SE", "BIC")
stats_al = {(m, rule): [] for m in ("lasso", "adaptive") for rule in rules}
for s in range(S_AL):
    r = np.random.default_rng(300 + s)
    X, y = make_sparse(100, r)
    f_al = kfold_indices(100, k=5, rng=r)
    w_s, _ = adaptive_weights(X, y)
    for method, Xm in (("lasso", X), ("adaptive", X / w_s)):
        path_cv = lasso_cv(Xm, y, folds=f_al, n_alphas=40)
        ic_m = lasso_information_criteria(Xm, y, n_alphas=40)
        for rule, a in zip(rules, (path_cv.alpha_min, path_cv.alpha_1se, ic_m.alpha_bic)):
            coef = lasso(Xm, y, alpha=a).coef / (w_s if method == "adaptive" else 1.0)
            sel, true_sel = coef != 0, beta_true != 0
            stats_al[method, rule].append((np.array_equal(sel, true_sel), np.sum(sel & ~true_sel),
                                           np.sum(~sel & true_sel), np.linalg.norm(coef - beta_true)))
summary_al = {key: np.array(v, dtype=float).mean(axis=0) for key, v in stats_al.items()}
print(f"{'method':<10} {'rule':<8} {'exact support':>13} {'false pos.':>10} {'false neg.':>10} {'||b - beta||':>12}")
for (method, rule), (exact, fp, fn, err) in summary_al.items():
    print(f"{method:<10} {rule:<8} {exact:13.2f} {fp:10.2f} {fn:10.2f} {err:12.3f}")
for rule in rules:
    assert summary_al["adaptive", rule][0] > summary_al["lasso", rule][0]       # exact support more often
    assert summary_al["adaptive", rule][1] < summary_al["lasso", rule][1]       # fewer false positives
assert summary_al["adaptive", "BIC"][3] < summary_al["lasso", "BIC"][3]
glue("ch5_al_lasso_cv", round(100 * float(summary_al["lasso", "CV min"][0])), display=False)
glue("ch5_al_ada_cv", round(100 * float(summary_al["adaptive", "CV min"][0])), display=False)
glue("ch5_al_lasso_bic", round(100 * float(summary_al["lasso", "BIC"][0])), display=False)
glue("ch5_al_ada_bic", round(100 * float(summary_al["adaptive", "BIC"][0])), display=False)
glue("ch5_al_lasso_1se", round(100 * float(summary_al["lasso", "CV 1-SE"][0])), display=False)
glue("ch5_al_ada_1se", round(100 * float(summary_al["adaptive", "CV 1-SE"][0])), display=False)
glue("ch5_al_fp_lasso_cv", round(float(summary_al["lasso", "CV min"][1]), 2), display=False)

# %% [markdown]
# Under every rule the adaptive lasso finds exactly the true support more often (CV minimum: in
# {glue:text}`ch5_al_ada_cv` % of the data sets against {glue:text}`ch5_al_lasso_cv` %; 1-SE:
# {glue:text}`ch5_al_ada_1se` % against {glue:text}`ch5_al_lasso_1se` %; BIC: {glue:text}`ch5_al_ada_bic` %
# against {glue:text}`ch5_al_lasso_bic` %), with fewer false positives. The rule matters as much as the
# method: the CV minimum optimizes prediction, not selection, and leaves the lasso with
# {glue:text}`ch5_al_fp_lasso_cv` false positives on average. "Adaptive regularization" is not a
# future trend: this is a 2006 method, and here, with $n$ five times the number of features and a
# decent first estimate, it delivers what it promises.
#
# (ch5-parallel)=
# ## Beyond one machine: `n_jobs` and Dask
#
# The $n_\lambda \times k$ fits of a grid are independent, so `cross_val_grid`, `nested_cv` and
# `lasso_cv` hand them to `joblib.Parallel`, and `n_jobs=2` runs them on two workers. The folds are
# drawn from `rng` *before* anything is dispatched and the scores are collected in order, so the result
# does not depend on how the work was scheduled. joblib's default backend starts worker processes, which
# takes a few seconds, longer than this whole grid; the cell uses two threads instead (the backend is a
# setting, the code is the same):

# %%
with joblib.parallel_config(backend="threading"):
    cv_par = cross_val_grid(model, Q_dev, y_dev, param_name="ridge__alpha", values=GRID, folds=folds, n_jobs=2)
print("n_jobs=2 gives the serial result bit for bit:", np.array_equal(cv_par.fold_scores, cv.fold_scores))
assert np.array_equal(cv_par.fold_scores, cv.fold_scores)

# %% [markdown]
# The same code runs on a cluster through joblib's Dask backend (Dask's `distributed` scheduler), with
# no change to regbook. Start a scheduler on one machine and workers on others, all with the same
# environment (`pip install -r requirements.txt` and regbook):
#
# ```bash
# # on the scheduler machine
# dask scheduler                                  # listens on tcp://<scheduler-address>:8786
# # on every worker machine
# dask worker tcp://scheduler-address:8786 --nworkers 4 --nthreads 1
# ```
#
# and in the notebook, connect a client and run the usual call inside the backend context:
#
# ```python
# import joblib
# from dask.distributed import Client
#
# client = Client("tcp://scheduler-address:8786")
# with joblib.parallel_config(backend="dask"):
#     res = cross_val_grid(model, Q_dev, y_dev, param_name="ridge__alpha", values=GRID, k=5, rng=0)
# ```
#
# `res` is identical to the laptop's result with `rng=0`: the folds were drawn on the client before any
# task was sent. (regbook's test suite runs exactly this on a local two-worker cluster and checks that
# the fits ran in the workers.) Tasks this small are worth shipping only when there are many of them or
# each fit is expensive; for ridge, the closed form {eq}`eq-cv-hat-svd` beats any cluster.
#
# (ch5-recipe)=
# ## The FAQ, answered: how do I choose λ?
#
# The sources answer "by cross-validation or grid search" (002), "train a model for each candidate and
# keep the best on the validation set" (003), "adjust it by experiment to find the optimal value" (004,
# Q2). A recipe with evidence behind each step:
#
# 1. **Standardize inside the training folds** (a `Pipeline`), never with statistics of the validation
#    or test data; anything that looks at $y$ must be inside the folds too ({ref}`ch5-leakage`).
# 2. **Use a logarithmic grid** spanning several decades (ridge: several decades below and one above
#    $d_{\max}^2$, the largest squared singular value of the standardized design; lasso: down from
#    $\alpha_{\max}$), and check that the best value is not on its edge ({ref}`ch5-grid`).
# 3. **Estimate the curve with $k$-fold CV, $k = 5$ to 10** ({ref}`ch5-kfold`); average repeated CV when
#    the data are few.
# 4. **Prefer the 1-SE choice** when a simpler or sparser model is worth a statistically invisible loss
#    ({ref}`ch5-one-se`).
# 5. **Report the error with nested CV** (or a test set never used for any choice), never the minimum of
#    the CV curve ({ref}`ch5-nested`, {ref}`ch5-simulation`).
# 6. **For ridge, use the closed forms**: LOOCV or GCV for every λ from one SVD ({ref}`ch5-loocv`).
# 7. **For a tuning-free choice, maximize the evidence** (ridge) or use BIC along the lasso path; for
#    feature selection, consider the adaptive lasso ({ref}`ch5-evidence`, {ref}`ch5-lasso`,
#    {ref}`ch5-adaptive`).
#
# The recipe end to end on the diabetes data, with 10-fold CV; the test set, untouched so far, is used
# once, to see how the honest estimate compares.

# %%
cv10 = cross_val_grid(model, Q_dev, y_dev, param_name="ridge__alpha", values=GRID, k=10,
                      rng=np.random.default_rng(11))
assert 0 < cv10.best_index < GRID.size - 1                                     # not on the grid's edge
alpha_final = float(GRID[one_se_rule(GRID, cv10.mean, cv10.se)])
final = make_pipeline(StandardScaler(), Ridge(alpha=alpha_final)).fit(Q_dev, y_dev)
sq_test = (split.y_test - final.predict(Q_test)) ** 2
test_mse, test_se = float(sq_test.mean()), float(sq_test.std(ddof=1) / np.sqrt(sq_test.size))
print(f"10-fold CV: alpha_min = {cv10.best_value:.3g}, alpha_1se = {alpha_final:.3g}")
print(f"reported (nested CV, 5 x 5 folds): {nested.mean:.0f} ± {nested_se:.0f}")
print(f"test MSE of the final model, {sq_test.size} patients never used before: {test_mse:.0f} ± {test_se:.0f}")
assert abs(test_mse - nested.mean) < 2 * np.hypot(test_se, nested_se)

alphas_auto = {"LOOCV": loo.best_alpha_loo, "GCV": loo.best_alpha_gcv, "evidence": ev.alpha,
               "10-fold 1-SE": alpha_final}
test_auto = {}
for name, a in alphas_auto.items():
    m = make_pipeline(StandardScaler(), Ridge(alpha=a)).fit(Q_dev, y_dev)
    test_auto[name] = float(np.mean((split.y_test - m.predict(Q_test)) ** 2))
    print(f"{name:<13} alpha = {a:8.3g}   test MSE {test_auto[name]:.0f}")
assert max(test_auto.values()) - min(test_auto.values()) < test_se
glue("ch5_test_mse", round(test_mse), display=False)
glue("ch5_test_se", round(test_se), display=False)

# %% [markdown]
# The test error ({glue:text}`ch5_test_mse` ± {glue:text}`ch5_test_se` on 88 patients) is consistent
# with the nested estimate reported before it was seen. The automatic choices land on test errors that
# the 88 test patients cannot tell apart: here, as is usual for ridge, the choice within the valley
# matters less than avoiding its walls, and less than reporting the error honestly.
#
# (ch5-pitfalls)=
# ## Pitfalls and corrections
#
# ### Tuning λ on the test set
#
# If the test set chooses λ, its error at that λ is a minimum over the grid
# and inherits the optimism of {eq}`eq-cv-optimism`. With the simulated data above (30 training samples)
# and a test set of 30 samples used for the choice, on 400 data sets (no CV is needed, so this is cheap):

# %%
opt_rows = []
for s in range(400):
    r = np.random.default_rng(500 + s)
    X, y = make_dense(N_SIM, r)
    X_te, y_te = make_dense(30, r)
    fits = [ridge(X, y, alpha=a) for a in GRID_SIM]
    test_err = [np.mean((y_te - X_te @ f.coef - f.intercept) ** 2) for f in fits]
    best = int(np.argmin(test_err))
    opt_rows.append((test_err[best], true_error(fits[best])))
opt = np.array(opt_rows)
m_t, se_t = mean_se(opt[:, 0] - opt[:, 1])
print(f"test error at the test-chosen alpha minus its true error: {m_t:+.3f} ± {se_t:.3f} "
      f"(true error {opt[:, 1].mean():.3f})")
assert m_t < -2 * se_t
glue("ch5_testtune", round(-m_t, 3), display=False)
glue("ch5_testtune_se", round(se_t, 3), display=False)

# %% [markdown]
# The reported test error is too low by {glue:text}`ch5_testtune` ± {glue:text}`ch5_testtune_se`. A
# test set that has chosen anything has become a validation set; source 003's recipe ("choose the λ that
# does best on the validation set") is correct for *choosing*, but its validation error must not be
# reported as the model's error.
#
# (ch5-leakage)=
# ### Preprocessing before splitting: leakage
#
# Standardizing all the data before CV (data leakage, 数据泄露) lets the
# validation samples' means and variances into training. On a wide problem ($n = 40$, $p = 500$,
# features on very different scales), five data sets, the same folds for both variants:

# %%
N_W, P_W, GRID_W = 40, 500, log_grid(1e-1, 1e5, 9)
leak_rows = []
for s in range(5):
    r = np.random.default_rng(700 + s)
    X = r.standard_normal((N_W, P_W)) * np.exp(r.standard_normal(P_W))          # scales from 0.1 to 10
    y = X[:, :10].sum(axis=1) + r.standard_normal(N_W)
    y_noise = r.standard_normal(N_W)                                             # unrelated to X
    f_w = kfold_indices(N_W, k=5, rng=r)
    scale_leak = cross_val_grid(Ridge(), StandardScaler().fit_transform(X), y, param_name="alpha",
                                values=GRID_W, folds=f_w).mean.min()
    scale_ok = cross_val_grid(make_pipeline(StandardScaler(), Ridge()), X, y, param_name="ridge__alpha",
                              values=GRID_W, folds=f_w).mean.min()
    X_sel = SelectKBest(f_regression, k=20).fit_transform(X, y_noise)           # screening on all data
    screen_leak = cross_val_grid(Ridge(), X_sel, y_noise, param_name="alpha", values=GRID_W, folds=f_w).mean.min()
    screen_ok = cross_val_grid(make_pipeline(SelectKBest(f_regression, k=20), Ridge()), X, y_noise,
                               param_name="ridge__alpha", values=GRID_W, folds=f_w).mean.min()
    leak_rows.append((scale_leak / scale_ok - 1, screen_leak, screen_ok))
L = np.array(leak_rows)
print(f"standardize before splitting: CV minimum changes by {100 * L[:, 0].mean():+.2f} % on average "
      f"(largest change {100 * np.abs(L[:, 0]).max():.2f} %)")
print(f"select 20 of 500 features by correlation before splitting, y pure noise (true error >= 1): "
      f"CV minimum {L[:, 1].mean():.2f}; with the selection inside the folds: {L[:, 2].mean():.2f}")
assert np.abs(L[:, 0]).max() < 0.02 and L[:, 1].mean() < 0.6 and L[:, 2].mean() > 0.8
glue("ch5_leak_scale", round(float(100 * np.abs(L[:, 0]).max()), 2), display=False)
glue("ch5_leak_screen", round(float(L[:, 1].mean()), 2), display=False)
glue("ch5_leak_screen_ok", round(float(L[:, 2].mean()), 2), display=False)

# %% [markdown]
# The honest finding: standardization computed on all the data changed the CV minimum by at most
# {glue:text}`ch5_leak_scale` %, because means and variances of $X$ carry no information about $y$
# (which is also why the closed-form LOOCV above could use the statistics of all development samples).
# It is still wrong, and it stops being harmless as soon as the preprocessing looks at the labels:
# selecting the 20 features most correlated with a *pure-noise* $y$ before CV gives a CV error of
# {glue:text}`ch5_leak_screen`, a model that seems to predict noise, while the same selection inside the
# folds gives {glue:text}`ch5_leak_screen_ok` (the truth is at least 1) {cite}`hastie2009elements`
# (§7.10.2). A `Pipeline` makes the right way the easy way.
#
# (ch5-grid)=
# ### A linear grid, and a grid that is too short
#
# `np.linspace(0.01, 10_000, 25)` spends 24 of its 25
# values above 400; the six decades below are represented by the single point 0.01. A grid whose best
# value is its first or last point has not found a minimum at all. regbook does not warn about that
# today, so a two-line check belongs after every search:

# %%
lin_grid = np.linspace(0.01, 10_000, 25)
loo_lin = ridge_loocv(Qs_dev, y_dev, alphas=lin_grid)
print(f"log grid: best LOO {loo.loo_mse.min():.0f} at alpha {loo.best_alpha_loo:.3g}; "
      f"linear grid: best LOO {loo_lin.loo_mse.min():.0f} at alpha {loo_lin.best_alpha_loo:.3g}; "
      f"grid points below 100: log {np.sum(GRID < 100)}, linear {np.sum(lin_grid < 100)}")
assert loo_lin.loo_mse.min() > loo.loo_mse.min() and np.sum(lin_grid < 100) == 1
glue("ch5_lin_best", sig3(loo_lin.best_alpha_loo), display=False)
glue("ch5_lin_loss", round(float(100 * (loo_lin.loo_mse.min() / loo.loo_mse.min() - 1)), 1), display=False)


def warn_if_on_edge(res, name="alpha"):
    """Warn when the best value of a CVResult is the first or last point of its grid."""
    if res.best_index in (0, res.values.size - 1):
        warnings.warn(f"the best {name} ({res.best_value:.3g}) is on the edge of the grid "
                      f"[{res.values.min():.3g}, {res.values.max():.3g}]; extend the grid", stacklevel=2)


short = cross_val_grid(model, Q_dev, y_dev, param_name="ridge__alpha", values=log_grid(1e-4, 1.0, 9),
                       folds=folds)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    warn_if_on_edge(short)
    warn_if_on_edge(cv)
print([str(w.message) for w in caught])
assert len(caught) == 1 and short.best_index == short.values.size - 1 and cv.best_value >= 100 * short.best_value

# %% [markdown]
# The valley of this ridge curve is wide, so the linear grid's best point ({glue:text}`ch5_lin_best`)
# costs only {glue:text}`ch5_lin_loss` % in LOO error; but the grid has no point in the decades where
# the minimum lies, so it could not have found one there, and its curve says nothing about the valley's
# shape. The short grid $[10^{-4}, 1]$ reports its upper end as "best"
# when the minimum is two decades further, and only the edge check notices.
#
# ### Reporting the CV minimum as the generalization error
#
# The simulation showed the minimum
# understating the error of the model it chose; nested CV, or a test set that was never used for a
# choice, is the number to report. The sources' FAQs never separate choosing from assessing.
#
# ### Corrections of the sources
#
# **"Cross-validation *or* grid search."** Source 002 offers them as alternatives. They are two halves
# of one procedure: the grid is the set of candidates, cross-validation (or LOOCV, GCV, an information
# criterion, the evidence) is the score each candidate gets. And a grid is not even needed: the evidence
# maximization and the path algorithms above search continuously.
#
# **"Automated and adaptive regularization are future directions"** (source 004). Both have been
# standard tools for decades: GCV since 1979 {cite}`golub1979generalized`, the evidence since 1992
# {cite}`mackay1992bayesian`, the adaptive lasso since 2006 {cite}`zou2006adaptive`, all in
# scikit-learn {cite}`pedregosa2011scikit`. What is genuinely open is choosing many hyperparameters at
# once without overfitting the selection {cite}`cawley2010over`.
#
# ## Summary
#
# - A choice of λ is an estimate with a variance: a single validation split is a noisy judge, and
#   $k$-fold CV {eq}`eq-cv-kfold` averages it down.
# - The 1-SE rule {eq}`eq-cv-one-se` picks the simplest model within the noise of the minimum.
# - The minimum of a CV curve is optimistic {eq}`eq-cv-optimism`; nested CV {eq}`eq-cv-nested`
#   estimates the error of the whole procedure honestly.
# - For ridge, LOOCV {eq}`eq-cv-loo-shortcut` and GCV {eq}`eq-cv-gcv` cost one SVD for every λ, and agree
#   with brute-force refits to $10^{-10}$.
# - The lasso is cross-validated along its warm-started path {eq}`eq-cv-lasso-path`; AIC and BIC
#   {eq}`eq-cv-ic` use the number of non-zeros as degrees of freedom {eq}`eq-cv-lasso-df`.
# - Empirical Bayes {eq}`eq-cv-evidence`–{eq}`eq-cv-mackay` chooses the ridge penalty without a grid,
#   and the adaptive lasso {eq}`eq-cv-adaptive` selects features more reliably than the lasso.
# - The same code runs on many cores or a Dask cluster with identical results.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 5 <exercises/solutions/a05_choosing_lambda>` has coding exercises on this chapter with checks you can run,
# and covers exercises 1, 2 and 4 below; download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **The shortcut for any linear smoother.** Show that {eq}`eq-cv-loo-shortcut` holds for every fit of
#    the form $\hat y = Hy$ for which leaving out sample $i$ gives the prediction
#    $\hat y_{(i)} = \sum_{j\ne i} H_{ij}y_j/(1 - H_{ii})$. Which smoothers have this property?
# 2. **GCV by hand (coding).** For $\alpha = 10$, build the hat matrix of ridge with intercept on
#    `Qs_dev` explicitly and compute {eq}`eq-cv-gcv`. Check your value with
#    `checks.assert_close(my_gcv, ridge_loocv(Qs_dev, y_dev, alphas=[10.0]).gcv[0], rtol=1e-10)`.
# 3. **GCV is rotation invariant, LOOCV is not (coding).** Draw a random orthogonal $Q$
#    (`np.linalg.qr` of a Gaussian matrix) and compare `ridge_loocv(Q @ X, Q @ y, alphas=GRID,
#    fit_intercept=False)` with `ridge_loocv(X, y, alphas=GRID, fit_intercept=False)`. Use
#    `checks.assert_close` to confirm that the GCV curves agree to $10^{-10}$, and show that the LOO
#    curves do not.
# 4. **The 1-SE rule by hand (coding).** Implement {eq}`eq-cv-one-se` from `cv.mean` and `cv.se` in
#    three lines, for both `prefer="largest"` (a penalty) and `"smallest"` (a polynomial degree), and check
#    your indices against `one_se_rule`.
# 5. **Stratified folds for classification.** Tune `C` of `regbook.np.linear.LogisticRegression` on the
#    breast-cancer data with `cross_val_grid(..., scoring="error_rate", folds=kfold_indices(n, k=5,
#    rng=0, stratify=y))`. Check that every fold keeps the class proportions to within one sample, and
#    compare the CV error curve with the log-loss curve: why is the error-rate curve so flat and jagged?
# 6. **The evidence updates.** Derive {eq}`eq-cv-mackay` from {eq}`eq-cv-evidence` written in the SVD
#    coordinates of $X$. Verify numerically that the gradient of `log_evidence` in this chapter vanishes
#    at `ridge_evidence`'s solution on another data set.
# 7. **How big is the search?** Repeat the {ref}`simulation <ch5-simulation>` choosing both the ridge
#    penalty and the number $m \in \{5, 10, \dots, 60\}$ of leading features. How does the optimism of
#    the minimum change with the size of the search?
# 8. **AIC against BIC.** Show that BIC's selected lasso model is never larger than AIC's along one path
#    when $n \ge 8$. Is the same true for the CV minimum against the 1-SE choice?
#
# ## References
#
# Cross-validation for choosing and assessing predictions is due to {cite}`stone1974cross`; the PRESS
# shortcut to {cite}`allen1974relationship`, generalized cross-validation to {cite}`golub1979generalized`;
# the one-standard-error rule and the "wrong way to do cross-validation" are in
# {cite}`hastie2009elements`. The optimism of the selected model's CV error and nested CV are studied by
# {cite}`varma2006bias,cawley2010over`, the variance of $k$-fold CV by {cite}`bengio2004no`. Path CV
# follows {cite}`friedman2010regularization`; the lasso's degrees of freedom are from
# {cite}`zou2007degrees,tibshirani2012degrees` with Efron's covariance definition
# {cite}`efron2004estimation`; AIC and BIC from {cite}`akaike1974new,schwarz1978estimating`. The
# evidence framework is {cite}`mackay1992bayesian` (textbook account in {cite}`bishop2006pattern`); the
# adaptive lasso {cite}`zou2006adaptive` and reweighted $\ell_1$ {cite}`candes2008enhancing`;
# scikit-learn {cite}`pedregosa2011scikit`. Full entries are in the {doc}`bibliography`.
