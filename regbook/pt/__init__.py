"""PyTorch twins of :mod:`regbook.np`, with the same module and function names.

Every function accepts tensors on any device and in any floating dtype and
returns results on the input's device and dtype. The layers are importable from
here (``regbook.pt.Dropout``, ``regbook.pt.BatchNorm1d``, ``regbook.pt.LayerNorm``)
and their functional forms from :mod:`regbook.pt.functional`; the training loop
``regbook.pt.train`` and its callbacks come from :mod:`regbook.pt.training`. Importing this
package imports torch; ``regbook.np`` never does.
"""

from regbook.pt import functional
from regbook.pt.clipping import clip_grad_norm, clip_grad_value
from regbook.pt.dropout import Dropout
from regbook.pt.early_stopping import EarlyStopping
from regbook.pt.normalization import BatchNorm1d, LayerNorm
from regbook.pt.optim import AdamW
from regbook.pt.training import (
    Callback, ConstraintCallback, EarlyStoppingCallback, GradientClipping, History, LRSchedulerCallback, train,
)

__all__ = [
    "AdamW", "BatchNorm1d", "Callback", "ConstraintCallback", "Dropout", "EarlyStopping", "EarlyStoppingCallback",
    "GradientClipping", "History", "LRSchedulerCallback", "LayerNorm", "clip_grad_norm", "clip_grad_value",
    "functional", "train",
]
