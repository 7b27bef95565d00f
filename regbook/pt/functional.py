"""Functional forms of regbook's torch layers, in the spirit of ``torch.nn.functional``.

>>> import torch
>>> from regbook.pt import functional as F
>>> x = torch.ones(2, 3)
>>> bool(torch.equal(F.dropout(x, p=0.5, training=False), x))
True
"""

from regbook.pt.dropout import dropout
from regbook.pt.normalization import batch_norm, layer_norm

__all__ = ["batch_norm", "dropout", "layer_norm"]
