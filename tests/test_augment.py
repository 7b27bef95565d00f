"""regbook.np.augment and regbook.pt.augment: exact toy moves, statistics, twins, transforms, bad input."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from regbook.np import augment as A
from regbook.pt import augment as T


def _one_pixel(r, c, shape=(8, 8)):
    X = np.zeros((1,) + shape)
    X[0, r, c] = 1.0
    return X


# --------------------------------------------------------------------------- layer 1: hand-checkable moves
@pytest.mark.parametrize("dx,dy", [(1, 0), (0, 1), (-1, 0), (0, -1), (2, -3), (-2, 1)])
def test_shift_moves_a_single_lit_pixel_exactly(dx, dy):
    out = A.shift_images_by(_one_pixel(4, 3), [dx], [dy])
    expected = _one_pixel(4 + dy, 3 + dx)
    np.testing.assert_array_equal(out, expected)


def test_shift_zero_fills_and_drops_what_leaves_the_image():
    X = np.arange(1.0, 10.0).reshape(1, 3, 3)
    out = A.shift_images_by(X, [1], [0], shape=(3, 3))
    np.testing.assert_array_equal(out[0], [[0, 1, 2], [0, 4, 5], [0, 7, 8]])
    out = A.shift_images_by(X, [0], [-1], shape=(3, 3))
    np.testing.assert_array_equal(out[0], [[4, 5, 6], [7, 8, 9], [0, 0, 0]])
    np.testing.assert_array_equal(A.shift_images_by(X, [3], [0], shape=(3, 3)), np.zeros((1, 3, 3)))


def test_shift_each_image_gets_its_own_offset_and_flat_layout_matches():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(5, 8, 8))
    dx, dy = rng.integers(-2, 3, 5), rng.integers(-2, 3, 5)
    out = A.shift_images_by(X, dx, dy)
    for i in range(5):
        np.testing.assert_array_equal(out[i], A.shift_images_by(X[i:i + 1], dx[i:i + 1], dy[i:i + 1])[0])
    np.testing.assert_array_equal(A.shift_images_by(X.reshape(5, 64), dx, dy), out.reshape(5, 64))
    chan = np.stack([X, 2 * X], axis=1)  # (n, c, h, w): channels move together
    out_c = A.shift_images_by(chan, dx, dy)
    np.testing.assert_array_equal(out_c[:, 0], out)
    np.testing.assert_array_equal(out_c[:, 1], 2 * out)


def test_random_shift_offsets_are_within_max_shift():
    X = np.zeros((400, 8, 8))
    X[:, 4, 4] = 1.0
    out = A.shift_images(X, max_shift=2, rng=0)
    pos = np.argwhere(out == 1.0)
    assert len(pos) == 400  # no pixel lost (centre pixel, |shift| <= 2)
    moves = pos[:, 1:] - 4
    assert np.abs(moves).max() == 2 and set(np.unique(moves)) == {-2, -1, 0, 1, 2}


def test_max_shift_zero_and_max_degrees_zero_are_the_identity():
    X = np.random.default_rng(1).uniform(size=(6, 64))
    np.testing.assert_array_equal(A.shift_images(X, max_shift=0, rng=0), X)
    np.testing.assert_allclose(A.rotate_images(X, max_degrees=0.0, rng=0), X, atol=1e-15)
    np.testing.assert_allclose(A.augment_digits(X, rng=0, max_shift=0, max_degrees=0.0), X, atol=1e-15)
    Xt = torch.tensor(X)
    assert torch.equal(T.shift_images(Xt, max_shift=0), Xt)
    torch.testing.assert_close(T.augment_digits(Xt, max_shift=0, max_degrees=0.0), Xt, rtol=0, atol=1e-15)


def test_rotation_by_90_degrees_of_a_symmetric_pattern():
    # a plus sign is invariant under 90 degree rotations; an L is mapped to its rotated copy
    plus = np.zeros((1, 5, 5))
    plus[0, 2, :] = 1.0
    plus[0, :, 2] = 1.0
    for angle in (90.0, 180.0, -90.0):
        np.testing.assert_allclose(A.rotate_images_by(plus, [angle], shape=(5, 5)), plus, atol=1e-12)
    L = np.zeros((1, 5, 5))
    L[0, 0:3, 1] = 1.0
    L[0, 2, 1:4] = 1.0
    # counter-clockwise by 90 degrees is np.rot90 with k=1 (the top row becomes the left column)
    np.testing.assert_allclose(A.rotate_images_by(L, [90.0], shape=(5, 5))[0], np.rot90(L[0], 1), atol=1e-12)
    np.testing.assert_allclose(A.rotate_images_by(L, [180.0], shape=(5, 5))[0], np.rot90(L[0], 2), atol=1e-12)


def test_small_rotation_keeps_the_centre_and_the_mass():
    X = np.zeros((1, 9, 9))
    X[0, 4, 4] = 1.0
    out = A.rotate_images_by(X, [7.0], shape=(9, 9))
    assert out[0, 4, 4] == pytest.approx(1.0, abs=1e-12)  # the centre is the fixed point
    # a blob well inside the image: bilinear rotation by a small angle keeps the total mass within 5%
    blob = np.exp(-((np.arange(9)[:, None] - 4) ** 2 + (np.arange(9)[None, :] - 3.5) ** 2) / 3.0)[None]
    for angle in (-10.0, -3.0, 5.0, 10.0):
        out = A.rotate_images_by(blob, [angle], shape=(9, 9))
        assert abs(out.sum() / blob.sum() - 1) < 0.05
        assert out.min() >= 0 and out.max() <= blob.max() + 1e-12  # convex weights: no overshoot


def test_rotation_is_linear_and_its_draws_are_bounded():
    rng = np.random.default_rng(2)
    X = rng.uniform(size=(50, 64))
    angles = rng.uniform(-30, 30, 50)
    np.testing.assert_allclose(A.rotate_images_by(2 * X + X[::-1], angles),
                               2 * A.rotate_images_by(X, angles) + A.rotate_images_by(X[::-1], angles), atol=1e-12)
    # the random version draws uniform(-m, m) from rng and calls rotate_images_by
    drawn = np.random.default_rng(3).uniform(-15.0, 15.0, size=50)
    np.testing.assert_array_equal(A.rotate_images(X, max_degrees=15.0, rng=3), A.rotate_images_by(X, drawn))


# --------------------------------------------------------------------------- noise and mixup statistics
def test_noise_mean_and_variance_match_sigma():
    sigma, n = 0.3, 200_000
    noise = A.add_noise(np.zeros(n), sigma=sigma, rng=0)
    # standard errors: mean sigma/sqrt(n) = 6.7e-4; variance sigma^2*sqrt(2/n) = 2.8e-4: 5 SE tolerances
    assert abs(noise.mean()) < 5 * sigma / math.sqrt(n)
    assert abs(noise.var() - sigma ** 2) < 5 * sigma ** 2 * math.sqrt(2 / n)
    t = T.add_noise(torch.zeros(n, dtype=torch.float64), sigma=sigma, generator=torch.Generator().manual_seed(0))
    assert abs(float(t.mean())) < 5 * sigma / math.sqrt(n)
    assert abs(float(t.var()) - sigma ** 2) < 5 * sigma ** 2 * math.sqrt(2 / n)


def test_mixup_is_the_recorded_convex_combination():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 5)), rng.integers(0, 3, 20)
    Y = np.eye(3)[y]
    X_mix, Y_mix, lam = A.mixup(X, Y, alpha=0.4, rng=7)
    draws = np.random.default_rng(7)  # documented order: lam, then the permutation
    lam_ref = draws.beta(0.4, 0.4, size=20)
    perm = draws.permutation(20)
    np.testing.assert_array_equal(lam, lam_ref)
    assert lam.min() >= 0 and lam.max() <= 1
    np.testing.assert_allclose(X_mix, lam[:, None] * X + (1 - lam[:, None]) * X[perm], atol=1e-15)
    np.testing.assert_allclose(Y_mix, lam[:, None] * Y + (1 - lam[:, None]) * Y[perm], atol=1e-15)
    np.testing.assert_allclose(Y_mix.sum(axis=1), 1.0, atol=1e-12)


@pytest.mark.parametrize("alpha", [0.2, 1.0, 4.0])
def test_torch_beta_sampler_matches_the_beta_distribution(alpha):
    g = torch.Generator().manual_seed(0)
    _, _, lam = T.mixup(torch.zeros(4000, 1), torch.zeros(4000, 2), alpha=alpha, generator=g)
    lam = lam.numpy()
    assert lam.min() >= 0 and lam.max() <= 1
    # Kolmogorov-Smirnov against scipy's Beta(alpha, alpha): a correct sampler fails with probability 1e-3
    assert stats.kstest(lam, stats.beta(alpha, alpha).cdf).pvalue > 1e-3


def test_torch_mixup_rows_sum_to_one_and_combination_is_convex():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(16, 1, 8, 8, dtype=torch.float64, generator=g)
    Y = torch.nn.functional.one_hot(torch.arange(16) % 4, 4).double()
    X_mix, Y_mix, lam = T.mixup(X, Y, alpha=0.3, generator=g)
    torch.testing.assert_close(Y_mix.sum(dim=1), torch.ones(16, dtype=torch.float64))
    # each mixed label row is lam on its own class and 1 - lam on the partner's (or 1 if same class)
    own = Y_mix[torch.arange(16), torch.arange(16) % 4]
    assert bool((own >= lam - 1e-12).all())


# --------------------------------------------------------------------------- layer 3: NumPy vs torch twins
@pytest.mark.parametrize("layout", [(12, 64), (12, 8, 8), (12, 2, 8, 8)])
def test_twins_agree_given_the_same_draws(layout):
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 16, size=layout)
    dx, dy = rng.integers(-2, 3, 12), rng.integers(-2, 3, 12)
    angles = rng.uniform(-45, 45, 12)
    Xt = torch.tensor(X)
    np.testing.assert_array_equal(T.shift_images_by(Xt, torch.tensor(dx), torch.tensor(dy)).numpy(),
                                  A.shift_images_by(X, dx, dy))
    np.testing.assert_allclose(T.rotate_images_by(Xt, torch.tensor(angles)).numpy(),
                               A.rotate_images_by(X, angles), rtol=0, atol=1e-12)
    Y = np.eye(3)[rng.integers(0, 3, 12)]
    lam, perm = rng.uniform(size=12), rng.permutation(12)
    for a, b in zip(T.mixup_by(Xt, torch.tensor(Y), torch.tensor(lam), torch.tensor(perm)),
                    A.mixup_by(X, Y, lam, perm)):
        np.testing.assert_allclose(a.numpy(), b, rtol=0, atol=1e-12)


def test_torch_random_versions_call_the_deterministic_ones_with_their_draws():
    X = torch.rand(10, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    g = torch.Generator().manual_seed(5)
    dx = torch.randint(-1, 2, (10,), generator=g)
    dy = torch.randint(-1, 2, (10,), generator=g)
    assert torch.equal(T.shift_images(X, generator=torch.Generator().manual_seed(5)), T.shift_images_by(X, dx, dy))
    out = T.augment_digits(X, generator=torch.Generator().manual_seed(6), max_degrees=20.0)
    g = torch.Generator().manual_seed(6)
    angles = 20.0 * (2 * torch.rand(10, generator=g, dtype=torch.float64) - 1)
    dx = torch.randint(-1, 2, (10,), generator=g)
    dy = torch.randint(-1, 2, (10,), generator=g)
    torch.testing.assert_close(out, T.shift_images_by(T.rotate_images_by(X, angles), dx, dy), rtol=0, atol=0)


def test_torch_keeps_dtype_and_is_reproducible():
    X = torch.rand(4, 64)
    for fn in (lambda g: T.augment_digits(X, generator=g), lambda g: T.add_noise(X, sigma=0.1, generator=g)):
        a, b = fn(torch.Generator().manual_seed(3)), fn(torch.Generator().manual_seed(3))
        assert a.dtype == torch.float32 and torch.equal(a, b)


def test_transforms_plug_into_the_training_loop_signature():
    g = torch.Generator().manual_seed(0)
    xb, yb = torch.rand(8, 64, generator=g), torch.arange(8) % 10
    x1, y1 = T.noise_transform(0.5)(xb, yb, g)
    assert x1.shape == xb.shape and torch.equal(y1, yb) and not torch.equal(x1, xb)
    x2, y2 = T.digits_transform(max_shift=1, max_degrees=10.0)(xb, yb, g)
    assert x2.shape == xb.shape and torch.equal(y2, yb)
    x3, y3 = T.mixup_transform(0.4, 10)(xb, yb, g)
    assert y3.shape == (8, 10) and y3.dtype == xb.dtype
    torch.testing.assert_close(y3.sum(dim=1), torch.ones(8))
    # soft targets in, soft targets out; composition applies left to right
    x4, y4 = T.compose_transforms(T.digits_transform(), T.mixup_transform(1.0, 10))(xb, yb, g)
    assert y4.shape == (8, 10)
    # torch's cross entropy accepts the soft targets
    loss = torch.nn.functional.cross_entropy(torch.zeros(8, 10), y4)
    assert float(loss) == pytest.approx(math.log(10), abs=1e-6)


# --------------------------------------------------------------------------- bad input
X64 = np.zeros((2, 64))
XT = torch.zeros(2, 64)
NANX = np.full((2, 64), np.nan)
BAD = [  # (call, exception, fragments the message must contain)
    (lambda: A.add_noise(X64, sigma=-0.1, rng=0), ValueError, ["'sigma'", "add_noise", "[0.0, inf)", "Got -0.1"]),
    (lambda: A.add_noise(NANX, sigma=0.1, rng=0), ValueError, ["'X'", "add_noise", "finite"]),
    (lambda: A.add_noise(X64, sigma=0.1, rng=None), TypeError, ["'rng'", "add_noise", "Generator", "None"]),
    (lambda: A.shift_images(X64, max_shift=-1, rng=0), ValueError, ["'max_shift'", "shift_images", "[0, inf)", "-1"]),
    (lambda: A.shift_images(X64, max_shift=1.5, rng=0), TypeError, ["'max_shift'", "an int", "1.5"]),
    (lambda: A.shift_images(np.zeros((2, 63)), rng=0), ValueError, ["'X'", "shift_images", "(n, 64)", "(2, 63)"]),
    (lambda: A.shift_images(NANX, rng=0), ValueError, ["'X'", "finite"]),
    (lambda: A.shift_images_by(X64, [1, 2], [0]), ValueError, ["'dy'", "length 2", "length 1"]),
    (lambda: A.shift_images_by(X64, [1.5, 2], [0, 0]), TypeError, ["'dx'", "ints", "float64"]),
    (lambda: A.shift_images(X64, rng=0, shape=(8, 0)), ValueError, ["'shape'", "positive ints", "(8, 0)"]),
    (lambda: A.rotate_images(X64, max_degrees=-1.0, rng=0), ValueError,
     ["'max_degrees'", "rotate_images", "[0.0, 180.0]", "-1.0"]),
    (lambda: A.rotate_images(X64, max_degrees=181.0, rng=0), ValueError, ["'max_degrees'", "[0.0, 180.0]", "181"]),
    (lambda: A.rotate_images_by(X64, [np.inf, 0.0]), ValueError, ["'angles'", "finite"]),
    (lambda: A.rotate_images_by(np.zeros((2, 7, 8)), [0.0, 0.0]), ValueError, ["'X'", "(8, 8)", "(2, 7, 8)"]),
    (lambda: A.augment_digits(X64, rng=0, max_degrees=200.0), ValueError, ["'max_degrees'", "augment_digits"]),
    (lambda: A.augment_digits(X64, rng=0, max_shift=-2), ValueError, ["'max_shift'", "augment_digits", "-2"]),
    (lambda: A.mixup(X64, np.eye(2), alpha=0.0, rng=0), ValueError, ["'alpha'", "mixup", "(0.0, inf)", "Got 0.0"]),
    (lambda: A.mixup(X64, np.eye(2), alpha=-1.0, rng=0), ValueError, ["'alpha'", "(0.0, inf)", "-1.0"]),
    (lambda: A.mixup(X64, np.eye(3), alpha=1.0, rng=0), ValueError, ["Inconsistent", "X has 2", "Y has 3"]),
    (lambda: A.mixup(X64, [0, 1], alpha=1.0, rng=0), ValueError, ["'Y'", "2D array"]),
    (lambda: A.mixup_by(X64, np.eye(2), [0.5, 1.5], [0, 1]), ValueError, ["'lam'", "[0, 1]", "1.5"]),
    (lambda: A.mixup_by(X64, np.eye(2), [0.5, 0.5], [0, 2]), ValueError, ["'perm'", "[0, 2)"]),
    (lambda: T.add_noise(XT, sigma=-1.0), ValueError, ["'sigma'", "add_noise", "[0.0, inf)", "-1.0"]),
    (lambda: T.add_noise(X64, sigma=1.0), TypeError, ["'X'", "add_noise", "torch.Tensor", "ndarray"]),
    (lambda: T.add_noise(torch.full((2,), math.nan), sigma=1.0), ValueError, ["'X'", "finite"]),
    (lambda: T.add_noise(XT, sigma=1.0, generator=0), TypeError, ["'generator'", "torch.Generator", "0"]),
    (lambda: T.shift_images(XT, max_shift=-1), ValueError, ["'max_shift'", "shift_images", "[0, inf)", "-1"]),
    (lambda: T.shift_images(torch.zeros(2, 10)), ValueError, ["'X'", "(n, 64)", "(2, 10)"]),
    (lambda: T.shift_images_by(XT, torch.tensor([0.5, 1.0]), [0, 0]), TypeError, ["'dx'", "ints", "float"]),
    (lambda: T.rotate_images(XT, max_degrees=190.0), ValueError, ["'max_degrees'", "[0.0, 180.0]", "190"]),
    (lambda: T.rotate_images_by(XT, [math.nan, 0.0]), ValueError, ["'angles'", "finite"]),
    (lambda: T.augment_digits(XT, max_shift=-1), ValueError, ["'max_shift'", "augment_digits", "-1"]),
    (lambda: T.mixup(XT, torch.eye(2), alpha=0.0), ValueError, ["'alpha'", "mixup", "(0.0, inf)", "0.0"]),
    (lambda: T.mixup_by(XT, torch.eye(2), [0.5, -0.5], [0, 1]), ValueError, ["'lam'", "[0, 1]", "-0.5"]),
    (lambda: T.noise_transform(-0.5), ValueError, ["'sigma'", "noise_transform", "-0.5"]),
    (lambda: T.digits_transform(max_degrees=-5.0), ValueError, ["'max_degrees'", "digits_transform", "-5.0"]),
    (lambda: T.mixup_transform(0.0, 10), ValueError, ["'alpha'", "mixup_transform", "0.0"]),
    (lambda: T.mixup_transform(1.0, 1), ValueError, ["'n_classes'", "mixup_transform", "[2, inf)", "1"]),
    (lambda: T.mixup_transform(1.0, 3)(XT, torch.tensor([0, 3]), None), ValueError,
     ["'yb'", "mixup_transform", "[0, 3)", "[0, 3]"]),
    (lambda: T.mixup_transform(1.0, 3)(XT, torch.zeros(2, 4), None), ValueError, ["'yb'", "(n, 3)", "(2, 4)"]),
    (lambda: T.compose_transforms(T.noise_transform(0.1), 3), TypeError, ["'transforms[1]'", "callable", "3"]),
]


@pytest.mark.parametrize("call,exc,fragments", BAD)
def test_bad_input(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


def test_transforms_inside_the_training_loop_are_reproducible():
    from sklearn.datasets import load_digits

    from regbook.pt.label_smoothing import LabelSmoothingCrossEntropy
    from regbook.pt.training import accuracy, train

    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X[:200] / 16.0, dtype=torch.float32)  # background 0, as the augmentations assume
    y = torch.tensor(y[:200])

    def run():
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.5)
        transform = T.compose_transforms(T.digits_transform(), T.noise_transform(0.05), T.mixup_transform(0.2, 10))
        return train(model, LabelSmoothingCrossEntropy(0.1), opt, (X, y), epochs=4, batch_size=50,
                     transform=transform, metrics={"accuracy": accuracy}, progress=False,
                     generator=torch.Generator().manual_seed(1))

    h1, h2 = run(), run()
    assert h1.to_dict() == h2.to_dict()
    assert h1["train_loss"][-1] < h1["train_loss"][0]  # it learns from the augmented, mixed batches
