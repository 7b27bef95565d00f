"""Show regbook's own source code inside the book's notebooks."""

from __future__ import annotations

import ast
import inspect
import textwrap

__all__ = ["show_source"]


def show_source(obj, *, docstring: bool = False) -> None:
    """Print the source of a regbook function or class.

    The chapters show the code they run instead of retyping it; by default the
    docstring is left out, since the chapter's prose already explains it.

    Parameters
    ----------
    obj : function or class
    docstring : bool, default=False
        Keep the docstring.

    Returns
    -------
    None
        Nothing, so that a call at the end of a notebook cell prints the code once
        (use :func:`inspect.getsource` to get it as a string).

    Examples
    --------
    >>> from regbook.data import sinusoid
    >>> show_source(sinusoid)
    def sinusoid(x):
        x = check_array(x, "x", "sinusoid")
        return np.sin(2.0 * np.pi * x)
    """
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)):
        raise TypeError(
            f"The 'obj' parameter of show_source must be a function or a class. Got {type(obj).__name__} instead."
        )
    src = textwrap.dedent(inspect.getsource(obj))
    if not docstring:
        tree = ast.parse(src)
        node = tree.body[0]
        first = node.body[0]
        if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
                and isinstance(first.value.value, str):
            lines = src.splitlines()
            del lines[first.lineno - 1 : first.end_lineno]
            src = "\n".join(lines) + "\n"
    print(src, end="")
