"""PyTorch twins of :mod:`regbook.np`, with the same module and function names.

Every function accepts tensors on any device and in any floating dtype and
returns results on the input's device and dtype.
"""
