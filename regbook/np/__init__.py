"""NumPy reference implementations, one technique per module.

Nothing under ``regbook.np`` imports torch. The PyTorch twins live in
``regbook.pt`` under the same module and function names.
"""
