"""regbook: the companion package of *Regularization Techniques: theory, formulas, code
and applications*.

Layout
------
``regbook.np``
    NumPy reference implementations, one technique per module (never imports torch).
``regbook.pt``
    PyTorch twins with the same module and function names.
``regbook.checks``
    Relative errors, numerical gradients and value checks shared by the book's
    notebooks, its exercises and the test suite.
``regbook.data``
    Offline data: generators and scikit-learn's bundled datasets with fixed splits.
``regbook.plotting``
    The book's figure style, learning and validation curves.

``regbook.nbsetup()`` is the first cell of every notebook: it seeds every random
number generator, pins the number of threads and fixes print options so that the
committed outputs are reproduced exactly when the notebook is re-executed.

Importing ``regbook`` does not import torch.
"""

from regbook._setup import nbsetup, set_seed
from regbook._source import show_source
from regbook._validation import ConvergenceWarning

__version__ = "0.1.0"

__all__ = ["ConvergenceWarning", "__version__", "nbsetup", "set_seed", "show_source"]
