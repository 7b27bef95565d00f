r"""Offline text: the standard library's docstrings as a labelled corpus, tokens and counts.

The corpus is built from the docstrings that ship inside the Python standard
library (nothing is downloaded). Each public function, class and method of a
fixed, sorted list of modules contributes its docstring (``inspect.cleandoc``
of ``__doc__``, so docstrings inherited from other modules are not repeated),
labelled with the *family* of its module:

=============  =================================================================
family         modules
=============  =================================================================
files          pathlib shutil glob fnmatch filecmp zipfile tarfile gzip bz2 lzma
               fileinput linecache
text           string textwrap difflib re html html.parser codecs unicodedata gettext
numbers        fractions statistics random numbers math cmath calendar datetime
formats        json json.decoder json.encoder configparser plistlib xml.dom.minidom
               xml.etree.ElementTree base64 pickle pickletools email.message
               email.utils email.header quopri
concurrency    threading queue sched concurrent.futures.thread
               concurrent.futures.process asyncio.events asyncio.tasks
               asyncio.queues asyncio.locks asyncio.streams
network        http.client http.server http.cookies http.cookiejar urllib.parse
               smtplib ftplib imaplib poplib xmlrpc.client ipaddress
devtools       unittest.case unittest.mock doctest inspect dis ast typing
               dataclasses functools tokenize argparse logging
=============  =================================================================

Modules whose public names or docstrings depend on the platform are left out on
purpose (``os``, ``socket``, ``ssl``, ``selectors``, ``locale``, ``tempfile``,
``socketserver``, ``urllib.request``, ``subprocess``, ``multiprocessing``), as are
deprecated modules and names (accessing them warns, e.g. ``typing.io``), and
``pdb``, whose ``Pdb`` class IPython replaces by its own in a notebook kernel.
With one interpreter version (the book pins Python 3.11) the corpus is identical
on every machine; :func:`fingerprint` checks it.

Tokens follow scikit-learn's ``CountVectorizer`` defaults (lower case, runs of
two or more word characters), so :func:`bag_of_words` can be checked against it.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from scipy import sparse as sp

from regbook._validation import check_array, check_bool, check_int, param_error

__all__ = ["FAMILIES", "PAD", "TOKEN_PATTERN", "UNK", "DocCorpus", "Vocabulary", "bag_of_words", "batchify",
           "char_corpus", "fingerprint", "load_docstrings", "tokenize", "windows"]

FAMILIES = {
    "files": ("pathlib", "shutil", "glob", "fnmatch", "filecmp", "zipfile", "tarfile", "gzip", "bz2", "lzma",
              "fileinput", "linecache"),
    "text": ("string", "textwrap", "difflib", "re", "html", "html.parser", "codecs", "unicodedata", "gettext"),
    "numbers": ("fractions", "statistics", "random", "numbers", "math", "cmath", "calendar", "datetime"),
    "formats": ("json", "json.decoder", "json.encoder", "configparser", "plistlib", "xml.dom.minidom",
                "xml.etree.ElementTree", "base64", "pickle", "pickletools", "email.message", "email.utils",
                "email.header", "quopri"),
    "concurrency": ("threading", "queue", "sched", "concurrent.futures.thread", "concurrent.futures.process",
                    "asyncio.events", "asyncio.tasks", "asyncio.queues", "asyncio.locks", "asyncio.streams"),
    "network": ("http.client", "http.server", "http.cookies", "http.cookiejar", "urllib.parse", "smtplib",
                "ftplib", "imaplib", "poplib", "xmlrpc.client", "ipaddress"),
    "devtools": ("unittest.case", "unittest.mock", "doctest", "inspect", "dis", "ast", "typing",
                 "dataclasses", "functools", "tokenize", "argparse", "logging"),
}
TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's CountVectorizer default
PAD, UNK = "<pad>", "<unk>"       # ids 0 and 1 of every Vocabulary


class DocCorpus(NamedTuple):
    """Docstrings with their labels: ``texts[i]`` documents ``names[i]`` of ``modules[i]``."""

    texts: list
    labels: np.ndarray       # (n_docs,) int: index into label_names
    label_names: tuple
    names: list              # qualified names, e.g. "textwrap.TextWrapper.wrap"
    modules: list


def _module_docs(modname):
    """(qualified name, docstring) of the public functions, classes and methods defined in a module."""
    module = importlib.import_module(modname)
    out = []
    for name in sorted(dir(module)):
        with warnings.catch_warnings(record=True) as caught:  # deprecated names (typing.io) warn: skip them
            warnings.simplefilter("always")
            obj = getattr(module, name)
            doc = getattr(obj, "__doc__", None)
        if caught or name.startswith("_") or getattr(obj, "__module__", None) != modname:
            continue
        if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.isbuiltin(obj)):
            continue
        if isinstance(doc, str):
            out.append((f"{modname}.{name}", inspect.cleandoc(doc)))
        if inspect.isclass(obj):
            for attr, member in sorted(vars(obj).items()):
                if not attr.startswith("_") and inspect.isfunction(member) and isinstance(member.__doc__, str):
                    out.append((f"{modname}.{name}.{attr}", inspect.cleandoc(member.__doc__)))
    return out


def load_docstrings(modules=None, *, min_length=80) -> DocCorpus:
    r"""The docstrings of the standard library, labelled by module family.

    .. math::

        \mathcal D = \{(d_i, c_i)\}_{i=1}^n, \qquad |d_i| \ge \text{min\_length},

    with :math:`d_i` a docstring and :math:`c_i` the family (label) of its module.
    Families, modules and names are visited in a fixed order; a docstring equal
    to one met before is skipped, so the corpus has no duplicates.

    Parameters
    ----------
    modules : mapping of str to sequence of str, optional
        Family name -> module names (default :data:`FAMILIES`).
    min_length : int, default=80
        Shortest docstring kept, in characters, in :math:`[1, \infty)`.

    Returns
    -------
    DocCorpus
        ``texts`` (n_docs strings), ``labels`` (n_docs,) ints, ``label_names``,
        ``names``, ``modules``.

    Examples
    --------
    >>> c = load_docstrings({"wrap": ["textwrap"], "diff": ["difflib"]}, min_length=200)
    >>> c.label_names, len(c.texts) == len(c.labels), c.names[0]
    (('wrap', 'diff'), True, 'textwrap.TextWrapper')
    """
    caller = "load_docstrings"
    modules = FAMILIES if modules is None else modules
    if not isinstance(modules, Mapping) or not modules:
        raise TypeError(param_error("modules", caller, "a non-empty mapping of family -> module names",
                                    f"a {type(modules).__name__}", raw=True))
    min_length = check_int(min_length, "min_length", caller, min_val=1)
    texts, labels, names, mods, seen = [], [], [], [], set()
    for label, family in enumerate(modules):
        group = modules[family]
        if isinstance(group, str) or not all(isinstance(m, str) for m in group):
            raise TypeError(param_error("modules", caller, "a mapping of family -> sequence of module names",
                                        f"{group!r} for {family!r}", raw=True))
        for modname in group:
            try:
                docs = _module_docs(modname)
            except ImportError as exc:
                raise ValueError(param_error("modules", caller, "a mapping to importable standard-library "
                                             "modules", repr(modname), raw=True)) from exc
            for name, doc in docs:
                if len(doc) >= min_length and doc not in seen:
                    seen.add(doc)
                    texts.append(doc), labels.append(label), names.append(name), mods.append(modname)
    return DocCorpus(texts, np.array(labels, dtype=np.int64), tuple(modules), names, mods)


def fingerprint(texts) -> str:
    r"""A short SHA-256 fingerprint of a list of texts (the same corpus gives the same string).

    .. math::

        \text{fingerprint} = \mathrm{SHA256}(d_1 \,\|\, \texttt{\\0} \,\|\, d_2 \,\|\, \cdots)[:16]

    Parameters
    ----------
    texts : sequence of str

    Returns
    -------
    str
        16 hexadecimal digits.

    Examples
    --------
    >>> fingerprint(["a", "b"]) == fingerprint(["a", "b"]), fingerprint(["a", "b"]) == fingerprint(["ab"])
    (True, False)
    """
    texts = _check_texts(texts, "texts", "fingerprint")
    return hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest()[:16]


def _check_texts(texts, name, caller):
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise TypeError(param_error(name, caller, "a sequence of str", f"a {type(texts).__name__}"
                                    if isinstance(texts, str) else "a sequence with non-str items", raw=True))
    return list(texts)


def tokenize(text, *, lowercase=True) -> list:
    r"""Split a text into word tokens: runs of two or more word characters.

    .. math::

        \text{tokens}(d) = \text{all matches of } \texttt{\\b\\w\\w+\\b} \text{ in } \operatorname{lower}(d)

    scikit-learn's ``CountVectorizer`` default tokenization; one-character
    words and punctuation are dropped, ``os.path`` gives ``["os", "path"]``.

    Parameters
    ----------
    text : str
    lowercase : bool, default=True

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("Return a new Path, e.g. os.path.join(a, b)!")
    ['return', 'new', 'path', 'os', 'path', 'join']
    """
    if not isinstance(text, str):
        raise TypeError(param_error("text", "tokenize", "a str", f"a {type(text).__name__}", raw=True))
    lowercase = check_bool(lowercase, "lowercase", "tokenize")
    return re.findall(TOKEN_PATTERN, text.lower() if lowercase else text)


class Vocabulary:
    r"""Token <-> id mapping built from counts, with padding and unknown tokens.

    .. math::

        V = \{\texttt{<pad>}, \texttt{<unk>}\} \cup \{t : \operatorname{count}(t) \ge \text{min\_count}\},
        \qquad \operatorname{id}(t) = \operatorname{id}(\texttt{<unk>}) = 1 \text{ for } t \notin V.

    Ids 0 and 1 are ``<pad>`` and ``<unk>``; the other tokens follow in order of
    decreasing count, ties alphabetical, so the mapping does not depend on the
    order of the documents.

    Parameters
    ----------
    min_count : int, default=1
        Fewest occurrences (in the fitted sequences) for a token to get its own id.
    max_size : int or None, default=None
        Largest vocabulary size, the two special tokens included (at least 3).

    Attributes
    ----------
    tokens_ : list of str
        ``tokens_[i]`` is the token of id ``i``.
    index_ : dict of str to int
    counts_ : collections.Counter
        Counts of every token seen by ``fit``.

    Examples
    --------
    >>> v = Vocabulary(min_count=2).fit([["a", "b", "a"], ["c", "b", "a"]])
    >>> v.tokens_, v.encode(["b", "z"]).tolist(), len(v)
    (['<pad>', '<unk>', 'a', 'b'], [3, 1], 4)
    """

    def __init__(self, min_count=1, *, max_size=None):
        self.min_count = check_int(min_count, "min_count", "Vocabulary", min_val=1)
        self.max_size = None if max_size is None else check_int(max_size, "max_size", "Vocabulary", min_val=3)

    def fit(self, sequences):
        """Count the tokens of ``sequences`` (an iterable of token lists, or of strings for characters)."""
        self.counts_ = Counter()
        for seq in sequences:
            if not isinstance(seq, (list, tuple, str)):
                raise TypeError(param_error("sequences", "Vocabulary.fit", "an iterable of token lists or str",
                                            f"an item of type {type(seq).__name__}", raw=True))
            self.counts_.update(seq)
        kept = sorted((t for t, c in self.counts_.items() if c >= self.min_count and t not in (PAD, UNK)),
                      key=lambda t: (-self.counts_[t], t))
        self.tokens_ = [PAD, UNK] + kept[: None if self.max_size is None else self.max_size - 2]
        self.index_ = {t: i for i, t in enumerate(self.tokens_)}
        return self

    def __len__(self):
        return len(self._fitted().tokens_)

    def __contains__(self, token):
        return token in self._fitted().index_

    def _fitted(self):
        if not hasattr(self, "tokens_"):
            raise ValueError("This Vocabulary is not fitted yet: call fit(sequences) first.")
        return self

    def encode(self, tokens) -> np.ndarray:
        """Ids of ``tokens`` (unknown tokens -> 1), shape (len(tokens),), int64."""
        index = self._fitted().index_
        return np.array([index.get(t, 1) for t in tokens], dtype=np.int64)

    def decode(self, ids) -> list:
        """Tokens of the ids (a sequence of ints in [0, len(self)))."""
        ids = check_array(ids, "ids", "Vocabulary.decode", ndim=1, dtype=None, min_samples=0)
        if ids.size and (ids.dtype.kind not in "iu" or ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(param_error("ids", "Vocabulary.decode", f"integers in [0, {len(self)})",
                                         f"values in [{ids.min()}, {ids.max()}]", raw=True))
        return [self.tokens_[i] for i in ids.tolist()]

    def encode_batch(self, sequences, *, max_len) -> np.ndarray:
        """Ids of each sequence, truncated to ``max_len`` and padded with 0: shape (n, max_len)."""
        max_len = check_int(max_len, "max_len", "Vocabulary.encode_batch", min_val=1)
        out = np.zeros((len(sequences), max_len), dtype=np.int64)   # (n, max_len), 0 = <pad>
        for i, seq in enumerate(sequences):
            ids = self.encode(seq[:max_len])
            out[i, :ids.size] = ids
        return out


def bag_of_words(texts, vocab, *, binary=False, sparse=False):
    r"""Document-term counts: row :math:`i`, column :math:`j` counts token :math:`j` in text :math:`i`.

    .. math::

        X_{ij} = \#\{t \in \operatorname{tokens}(d_i) : \operatorname{id}(t) = j\}
        \quad (\text{binary: } \min(X_{ij}, 1)),

    so column 1 (``<unk>``) counts the tokens outside the vocabulary and column 0
    (``<pad>``) is zero.

    Parameters
    ----------
    texts : sequence of str
        ``n_docs`` texts, tokenized with :func:`tokenize`.
    vocab : Vocabulary
        A fitted vocabulary of ``n_terms`` tokens.
    binary : bool, default=False
        Presence (0/1) instead of counts.
    sparse : bool, default=False
        Return a ``scipy.sparse.csr_matrix`` instead of a dense array.

    Returns
    -------
    ndarray or csr_matrix of shape (n_docs, n_terms), float64

    Examples
    --------
    >>> v = Vocabulary().fit([tokenize("the cat saw the dog")])
    >>> bag_of_words(["the dog and the bird"], v).tolist()
    [[0.0, 2.0, 2.0, 0.0, 1.0, 0.0]]
    >>> v.tokens_
    ['<pad>', '<unk>', 'the', 'cat', 'dog', 'saw']
    """
    caller = "bag_of_words"
    texts = _check_texts(texts, "texts", caller)
    if not isinstance(vocab, Vocabulary):
        raise TypeError(param_error("vocab", caller, "a fitted Vocabulary", f"a {type(vocab).__name__}", raw=True))
    binary, sparse = check_bool(binary, "binary", caller), check_bool(sparse, "sparse", caller)
    rows, cols = [], []
    for i, text in enumerate(texts):
        ids = vocab._fitted().encode(tokenize(text))
        rows.append(np.full(ids.size, i)), cols.append(ids)
    rows, cols = np.concatenate(rows or [[]]).astype(np.int64), np.concatenate(cols or [[]]).astype(np.int64)
    X = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(len(texts), len(vocab)))  # duplicates summed
    if binary:
        X.data[:] = 1.0
    return X if sparse else X.toarray()


def char_corpus(texts, vocab, *, separator="\n\n") -> np.ndarray:
    r"""One long sequence of character ids: the texts joined by ``separator``.

    .. math::

        s = d_1 \,\|\, \text{sep} \,\|\, d_2 \,\|\, \cdots \,\|\, d_n, \qquad x_t = \operatorname{id}(s_t)

    Parameters
    ----------
    texts : sequence of str
    vocab : Vocabulary
        Fitted on characters (e.g. ``Vocabulary(min_count=5).fit(texts)``); rare
        characters map to ``<unk>`` (id 1).
    separator : str, default="\\n\\n"

    Returns
    -------
    ndarray of shape (total_length,), int64

    Examples
    --------
    >>> v = Vocabulary().fit(["abba"])
    >>> char_corpus(["ab", "ba!"], v, separator="").tolist()
    [2, 3, 3, 2, 1]
    """
    texts = _check_texts(texts, "texts", "char_corpus")
    if not isinstance(vocab, Vocabulary):
        raise TypeError(param_error("vocab", "char_corpus", "a fitted Vocabulary", f"a {type(vocab).__name__}",
                                    raw=True))
    if not isinstance(separator, str):
        raise TypeError(param_error("separator", "char_corpus", "a str", f"a {type(separator).__name__}", raw=True))
    return vocab.encode(separator.join(texts))


def _check_ids(ids, caller):
    ids = check_array(ids, "ids", caller, ndim=1, dtype=None)
    if ids.dtype.kind not in "iu":
        raise TypeError(param_error("ids", caller, "an array of integer ids", f"dtype {ids.dtype}", raw=True))
    return ids.astype(np.int64)


def windows(ids, *, seq_len, stride=None):
    r"""Input and next-character target windows for a language model.

    .. math::

        X_{k} = (x_{ks}, \dots, x_{ks + L - 1}), \qquad Y_{k} = (x_{ks + 1}, \dots, x_{ks + L}),

    for :math:`k = 0, 1, \dots` while :math:`ks + L` is a valid index
    (:math:`L` = ``seq_len``, :math:`s` = ``stride``).

    Parameters
    ----------
    ids : array_like of shape (n,), int
    seq_len : int
        Window length :math:`L \ge 1`, at most ``n - 1``.
    stride : int or None
        Step between window starts, :math:`s \ge 1`; None is ``seq_len`` (no overlap).

    Returns
    -------
    X, Y : ndarray of shape (n_windows, seq_len), int64

    Examples
    --------
    >>> X, Y = windows(np.arange(7), seq_len=3)
    >>> X.tolist(), Y.tolist()
    ([[0, 1, 2], [3, 4, 5]], [[1, 2, 3], [4, 5, 6]])
    """
    ids = _check_ids(ids, "windows")
    seq_len = check_int(seq_len, "seq_len", "windows", min_val=1, max_val=ids.size - 1)
    stride = seq_len if stride is None else check_int(stride, "stride", "windows", min_val=1)
    starts = np.arange(0, ids.size - seq_len, stride)          # last target index = start + L <= n - 1
    offsets = starts[:, None] + np.arange(seq_len)             # (n_windows, L)
    return ids[offsets], ids[offsets + 1]


def batchify(ids, *, batch_size):
    r"""Cut a sequence into ``batch_size`` contiguous streams (the layout of truncated BPTT).

    .. math::

        B_{b, t} = x_{b m + t}, \qquad m = \lfloor n / \text{batch\_size} \rfloor,

    dropping the last :math:`n - m\cdot\text{batch\_size}` ids.

    Parameters
    ----------
    ids : array_like of shape (n,), int
    batch_size : int
        Number of streams, in :math:`[1, n]`.

    Returns
    -------
    ndarray of shape (batch_size, n // batch_size), int64

    Examples
    --------
    >>> batchify(np.arange(7), batch_size=2).tolist()
    [[0, 1, 2], [3, 4, 5]]
    """
    ids = _check_ids(ids, "batchify")
    batch_size = check_int(batch_size, "batch_size", "batchify", min_val=1, max_val=ids.size)
    m = ids.size // batch_size
    return ids[: m * batch_size].reshape(batch_size, m)
