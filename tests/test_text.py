"""regbook.text: a deterministic docstring corpus, tokens, vocabulary, bag of words, character windows."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from regbook import text
from regbook.text import Vocabulary, bag_of_words, batchify, char_corpus, tokenize, windows

DOCS = ["The cat saw the dog.", "A dog, a DOG and os.path.join!", "cat_food 42 x"]


@pytest.fixture(scope="module")
def corpus():
    return text.load_docstrings()


# --------------------------------------------------------------------------- the corpus
def test_corpus_is_deterministic_and_has_every_family(corpus):
    again = text.load_docstrings()
    assert text.fingerprint(corpus.texts) == text.fingerprint(again.texts)
    assert corpus.names == again.names and np.array_equal(corpus.labels, again.labels)
    assert corpus.label_names == tuple(text.FAMILIES)
    counts = np.bincount(corpus.labels, minlength=len(text.FAMILIES))
    assert counts.min() >= 50                          # enough docstrings per family
    assert len(set(corpus.texts)) == len(corpus.texts)  # no duplicates
    assert min(len(t) for t in corpus.texts) >= 80


def test_corpus_labels_follow_the_module_families(corpus):
    family_of = {m: i for i, fam in enumerate(text.FAMILIES.values()) for m in fam}
    assert all(family_of[m] == lab for m, lab in zip(corpus.modules, corpus.labels))
    assert all(name.startswith(m + ".") for name, m in zip(corpus.names, corpus.modules))


def test_docstrings_are_the_modules_own():
    import textwrap
    c = text.load_docstrings({"wrap": ["textwrap"]}, min_length=1)
    i = c.names.index("textwrap.dedent")
    assert c.texts[i] == textwrap.dedent.__doc__.strip().replace("\n    ", "\n")
    # inherited docstrings are not copied: TextWrapper's methods are textwrap's own
    assert all(n.startswith("textwrap.") for n in c.names)


def test_min_length_filters():
    short = text.load_docstrings({"wrap": ["textwrap"]}, min_length=1)
    long = text.load_docstrings({"wrap": ["textwrap"]}, min_length=300)
    assert set(long.texts) == {t for t in short.texts if len(t) >= 300}


def test_fingerprint_sensitive_to_order_and_content():
    assert text.fingerprint(["a", "b"]) != text.fingerprint(["b", "a"])
    assert text.fingerprint(["a", "b"]) != text.fingerprint(["a", "c"])
    assert len(text.fingerprint(["a"])) == 16


# --------------------------------------------------------------------------- tokens and vocabulary
@pytest.mark.parametrize("s,expected", [
    ("The cat saw the dog.", ["the", "cat", "saw", "the", "dog"]),
    ("os.path.join(a, b)", ["os", "path", "join"]),
    ("cat_food 42 x", ["cat_food", "42"]),
    ("", []),
    ("café NAÏVE", ["café", "naïve"]),
])
def test_tokenize_toy_cases(s, expected):
    assert tokenize(s) == expected


def test_tokenize_keeps_case_on_request():
    assert tokenize("Path PATH", lowercase=False) == ["Path", "PATH"]


def test_vocabulary_order_min_count_and_max_size():
    seqs = [["b", "a", "c", "a"], ["b", "d", "a"]]          # a:3, b:2, c:1, d:1
    v = Vocabulary().fit(seqs)
    assert v.tokens_ == ["<pad>", "<unk>", "a", "b", "c", "d"]  # by count, ties alphabetical
    assert Vocabulary(min_count=2).fit(seqs).tokens_ == ["<pad>", "<unk>", "a", "b"]
    assert Vocabulary(max_size=3).fit(seqs).tokens_ == ["<pad>", "<unk>", "a"]
    assert Vocabulary().fit(seqs[::-1]).tokens_ == v.tokens_     # independent of document order
    assert v.encode(["d", "zz", "a"]).tolist() == [5, 1, 2]
    assert v.decode([5, 1, 2]) == ["d", "<unk>", "a"]
    assert "c" in v and "zz" not in v and len(v) == 6


def test_encode_batch_pads_and_truncates():
    v = Vocabulary().fit([["a", "b", "a"]])
    out = v.encode_batch([["a"], ["b", "a", "b", "x"]], max_len=3)
    assert out.tolist() == [[2, 0, 0], [3, 2, 3]] and out.dtype == np.int64


def test_character_vocabulary():
    v = Vocabulary(min_count=2).fit(["aab", "ba!"])
    assert v.tokens_ == ["<pad>", "<unk>", "a", "b"]
    assert char_corpus(["ab!"], v).tolist() == [2, 3, 1]
    assert char_corpus(["a", "b"], v, separator="!").tolist() == [2, 1, 3]


# --------------------------------------------------------------------------- bag of words
def test_bag_of_words_hand_count():
    v = Vocabulary().fit([tokenize(d) for d in DOCS[:1]])     # the, cat, dog, saw
    X = bag_of_words(DOCS, v)
    col = {t: X[:, i] for i, t in enumerate(v.tokens_)}
    assert col["the"].tolist() == [2, 0, 0] and col["dog"].tolist() == [1, 2, 0]
    assert col["<unk>"].tolist() == [0, 4, 2]                  # and, os, path, join; cat_food, 42
    assert col["<pad>"].tolist() == [0, 0, 0]
    assert X.sum(axis=1).tolist() == [len(tokenize(d)) for d in DOCS]
    assert bag_of_words(DOCS, v, binary=True)[:, v.index_["the"]].tolist() == [1, 0, 0]


@pytest.mark.parametrize("binary", [False, True])
def test_bag_of_words_matches_count_vectorizer(corpus, binary):
    texts = corpus.texts[:300]
    v = Vocabulary(min_count=2).fit([tokenize(t) for t in texts])
    ours = bag_of_words(texts, v, binary=binary, sparse=True)
    cv = CountVectorizer(token_pattern=text.TOKEN_PATTERN, lowercase=True, binary=binary,
                         vocabulary={t: i for i, t in enumerate(v.tokens_[2:])})
    ref = cv.fit_transform(texts)
    assert sparse.issparse(ours)
    assert np.array_equal(ours[:, 2:].toarray(), ref.toarray())


def test_bag_of_words_dense_equals_sparse():
    v = Vocabulary().fit([tokenize(d) for d in DOCS])
    assert np.array_equal(bag_of_words(DOCS, v), bag_of_words(DOCS, v, sparse=True).toarray())


# --------------------------------------------------------------------------- language-model windows
def test_windows_targets_are_the_next_ids():
    ids = np.arange(10, 30)
    X, Y = windows(ids, seq_len=4)
    assert X.shape == (4, 4) and np.array_equal(Y, X + 1)
    assert X[:, 0].tolist() == [10, 14, 18, 22]
    X2, Y2 = windows(ids, seq_len=4, stride=1)
    assert X2.shape == (16, 4) and Y2[-1, -1] == 29


def test_batchify_streams_are_contiguous():
    B = batchify(np.arange(11), batch_size=3)
    assert B.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


# --------------------------------------------------------------------------- bad input
V = Vocabulary().fit([["a"]])
BAD = [
    (lambda: text.load_docstrings(min_length=0), ValueError, "'min_length' parameter of load_docstrings",
     "[1, inf)", "Got 0"),
    (lambda: text.load_docstrings(["textwrap"]), TypeError, "'modules' parameter of load_docstrings",
     "mapping", "list"),
    (lambda: text.load_docstrings({"x": ["no_such_module_xyz"]}), ValueError, "'modules' parameter",
     "importable", "no_such_module_xyz"),
    (lambda: text.load_docstrings({"x": "textwrap"}), TypeError, "'modules' parameter", "sequence of module",
     "'textwrap'"),
    (lambda: tokenize(3), TypeError, "'text' parameter of tokenize", "a str", "int"),
    (lambda: Vocabulary(min_count=0), ValueError, "'min_count' parameter of Vocabulary", "[1, inf)", "Got 0"),
    (lambda: Vocabulary(max_size=2), ValueError, "'max_size' parameter of Vocabulary", "[3, inf)", "Got 2"),
    (lambda: Vocabulary().fit([3]), TypeError, "'sequences' parameter of Vocabulary.fit", "token lists", "int"),
    (lambda: Vocabulary().encode(["a"]), ValueError, "not fitted", "fit(", "Vocabulary"),
    (lambda: V.decode([0, 7]), ValueError, "'ids' parameter of Vocabulary.decode", "[0, 3)", "[0, 7]"),
    (lambda: V.encode_batch([["a"]], max_len=0), ValueError, "'max_len' parameter", "[1, inf)", "Got 0"),
    (lambda: bag_of_words("a text", V), TypeError, "'texts' parameter of bag_of_words", "sequence of str", "str"),
    (lambda: bag_of_words(["a"], {"a": 0}), TypeError, "'vocab' parameter of bag_of_words", "Vocabulary", "dict"),
    (lambda: bag_of_words(["a"], V, binary=1), TypeError, "'binary' parameter of bag_of_words", "a bool", "Got 1"),
    (lambda: char_corpus(["a"], V, separator=0), TypeError, "'separator' parameter of char_corpus", "a str", "int"),
    (lambda: windows(np.arange(5), seq_len=5), ValueError, "'seq_len' parameter of windows", "[1, 4]", "Got 5"),
    (lambda: windows(np.arange(5), seq_len=2, stride=0), ValueError, "'stride' parameter", "[1, inf)", "Got 0"),
    (lambda: windows(np.array([0.5, 1.0, 2.0]), seq_len=1), TypeError, "'ids' parameter of windows",
     "integer ids", "float64"),
    (lambda: windows(np.array([1.0, np.nan, 2.0]), seq_len=1), ValueError, "'ids' parameter of windows",
     "finite", "1 NaN"),
    (lambda: batchify(np.arange(3), batch_size=4), ValueError, "'batch_size' parameter of batchify", "[1, 3]",
     "Got 4"),
]


@pytest.mark.parametrize("case", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_messages(case):
    call, exc, *fragments = case
    with pytest.raises(exc) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value)
