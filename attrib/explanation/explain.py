"""Why the model says what it says: each outlet's strongest features, and each text's evidence.

For a linear model the explanation is exact. An outlet's decision value for a text is the sum,
over every n-gram feature in the text, of ``value x weight`` (the feature's TF-IDF value times the
outlet's weight for it), plus the outlet's intercept; the scores are the softmax of the decision
values. :func:`explain_text` returns every one of those terms.
"""

from __future__ import annotations

import os
import weakref
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from attrib.errors import AttribError, CorpusError
from attrib.evaluation.foldcache import FoldFeatures
from attrib.explanation.highlights import Highlight, highlights
from attrib.features.cleaning import clean
from attrib.features.kinds import STYLE_TYPES, TYPES
from attrib.features.spans import ngram_spans
from attrib.modeling.model import Model, Prediction
from attrib.reading.corpus import Corpus
from attrib.scale.parallel import Progress


@dataclass(frozen=True)
class Feature:
    """One n-gram feature and its weight for one outlet."""

    kind: str
    ngram: str
    weight: float

    @property
    def name(self) -> str:
        """The feature as the pipeline names it, e.g. ``char__ ta``."""
        return f"{self.kind}__{self.ngram}"


def ngram_type(kind: str, ngram: str) -> str:
    """The typed n-gram category of a feature: punctuation, prefix, suffix, whole word, ...

    Character n-grams are typed by where they sit in a word (``char_wb`` pads words with a
    space): one containing punctuation is ``punctuation``; `` the `` is a ``whole word``,
    `` th`` a ``prefix``, ``he `` a ``suffix``, ``tio`` ``mid-word``. The punctuation view's
    n-grams are ``punctuation``, the shape view's ``shape``, word n-grams ``word n-gram``.
    """
    if kind == "word":
        return "word n-gram"
    if kind == "punct":
        return "punctuation"
    if kind == "shape":
        return "shape"
    if any(not (ch.isalnum() or ch.isspace()) for ch in ngram):
        return "punctuation"
    starts, ends = ngram.startswith(" "), ngram.endswith(" ")
    if starts and ends:
        return "whole word"
    if starts:
        return "prefix"
    if ends:
        return "suffix"
    return "mid-word"


def counters(model: Model) -> dict[str, Any]:
    """Each view's n-gram counter (:class:`~attrib.features.counting.NgramCounter`), by kind."""
    views = model.pipeline.named_steps["features"].transformer_list
    return {kind: view.named_steps["count"] for kind, view in views}


def feature_names(model: Model) -> tuple[list[str], list[str]]:
    """The kind (``char``, ``word``, ...) and the n-gram of every column of the model."""
    check_explainable(model)
    known = _FEATURE_NAMES.get(model)
    if known is None:  # 50,000 names took 0.09 s to split, on every text the web page explains
        names = model.pipeline.named_steps["features"].get_feature_names_out()
        kinds, ngrams = zip(*(name.split("__", 1) for name in names), strict=True)
        known = _FEATURE_NAMES[model] = (list(kinds), list(ngrams))
    return known


#: Each model's feature names, while the model lives (a model's features never change).
_FEATURE_NAMES: weakref.WeakKeyDictionary[Model, tuple[list[str], list[str]]] = (
    weakref.WeakKeyDictionary()
)


def check_explainable(model: Model) -> None:
    """Raise :class:`AttribError` for a model whose features have no names (bounded training)."""
    if model.bounded:
        raise AttribError(
            "this model was trained with --bounded: its n-grams are hashed and it keeps no "
            "vocabulary, so there are no features to name; explain needs a model trained "
            "without --bounded"
        )


def outlet_weights(model: Model) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Each outlet's weights and intercept: decision = ``features @ weights + intercept``.

    A two-outlet logistic regression has one weight row, for the second outlet; the first
    outlet's decision value is its negative.
    """
    coef, intercept = _per_class(model.pipeline.named_steps["classifier"])
    labels = model.labels
    return (
        {label: coef[i] for i, label in enumerate(labels)},
        {label: float(intercept[i]) for i, label in enumerate(labels)},
    )


def _per_class(classifier: Any) -> tuple[np.ndarray, np.ndarray]:
    """A linear classifier's weights and intercepts, one row per class, also for two classes."""
    coef = np.asarray(classifier.coef_)
    intercept = np.asarray(classifier.intercept_)
    if coef.shape[0] == 1:
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    return coef, intercept


def top_features(model: Model, n: int = 20) -> dict[str, list[Feature]]:
    """The ``n`` features pushing hardest towards each outlet, strongest first."""
    kinds, ngrams = feature_names(model)
    weights, _ = outlet_weights(model)
    top = {}
    for label, row in weights.items():
        order = np.argsort(-row, kind="stable")[:n]
        top[label] = [Feature(kinds[i], ngrams[i], float(row[i])) for i in order]
    return top


# ---------------------------------------------------------------------------------------------
# One text


@dataclass(frozen=True)
class Contribution:
    """One feature's part in one outlet's decision value: ``value * weight``."""

    feature: str
    kind: str
    ngram: str
    type: str
    value: float
    weight: float
    contribution: float
    spans: list[tuple[int, int]]


@dataclass(frozen=True)
class OutletExplanation:
    """Why one outlet got its decision value for one text: the intercept plus every feature."""

    outlet: str
    score: float
    decision: float
    intercept: float
    contributions: list[Contribution]

    def towards(self, n: int) -> list[Contribution]:
        """The ``n`` features pushing hardest towards this outlet."""
        return [c for c in self.contributions if c.contribution > 0][:n]

    def away(self, n: int) -> list[Contribution]:
        """The ``n`` features pushing hardest away from this outlet."""
        return [c for c in reversed(self.contributions) if c.contribution < 0][:n]


@dataclass(frozen=True)
class TextExplanation:
    """A text as the model read it (cleaned), its prediction, and the explained outlets."""

    text: str
    prediction: Prediction
    outlets: list[OutletExplanation]
    #: Per outlet (all of the model's), the n-grams' sum: the decision without the intercept.
    evidence: dict[str, float] = field(default_factory=dict)
    #: Per outlet, the intercept: the prior the model adds whatever the text.
    priors: dict[str, float] = field(default_factory=dict)

    @property
    def evidence_favours(self) -> str:
        """The outlet the n-grams alone favour (highest evidence sum)."""
        return max(sorted(self.evidence), key=lambda outlet: self.evidence[outlet])

    @property
    def prior_decided(self) -> bool:
        """Whether the intercepts, not the text, decided: the evidence alone favours another
        outlet than the prediction names."""
        return self.prediction.best != self.evidence_favours

    def highlights(self) -> list[Highlight]:
        """Where the evidence lies: the marked runs of the text (:mod:`.highlights`)."""
        return highlights(self.text, self.outlets)

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """The JSON form: with ``top``, each explained outlet keeps only its ``top`` strongest
        contributions each way (``evidence`` and the highlights still count them all)."""
        outlets = self.outlets
        if top is not None:  # in the same order: strongest towards first, strongest away last
            outlets = [
                replace(o, contributions=o.towards(top) + o.away(top)[::-1]) for o in outlets
            ]
        return {
            "text": self.text,
            **self.prediction.to_dict(),
            "evidence": self.evidence,
            "priors": self.priors,
            "evidence_favours": self.evidence_favours,
            "prior_decided": self.prior_decided,
            "explained": [_outlet_dict(o) for o in outlets],
            "highlights": [h.to_dict() for h in self.highlights()],
        }


def _outlet_dict(o: OutletExplanation) -> dict[str, Any]:
    """``asdict(o)`` without its deep copy of every span (ten times faster)."""
    return {**vars(o), "contributions": [dict(vars(c)) for c in o.contributions]}


def explain_text(model: Model, text: str, outlets: list[str] | None = None) -> TextExplanation:
    """Explain one text exactly: every feature's contribution to each outlet's decision value.

    Parameters
    ----------
    model : Model
    text : str
    outlets : list of str, optional
        Outlets to explain; by default the best-scoring outlet and the runner-up (also when
        the model abstains: the explanation shows what it would have said).

    Returns
    -------
    TextExplanation
        For each outlet, ``intercept + sum(contribution)`` equals the classifier's decision
        value for it; ``evidence`` and ``priors`` give that split for every outlet of the model.
        Spans are offsets in ``TextExplanation.text``, the text after cleaning.

    Raises
    ------
    AttribError
        If an outlet asked for is not one the model knows.
    """
    check_explainable(model)

    (cleaned,), row = model.featurize([text])
    prediction = model.predictions_of([cleaned], row)[0]
    chosen = _known_outlets(model, outlets or [prediction.best, prediction.runner_up])
    row = row.tocsr()
    columns, values = row.indices, row.data
    kinds, ngrams = feature_names(model)
    weights, intercepts = outlet_weights(model)

    vectorizers = counters(model)
    spans: dict[str, list[tuple[int, int]]] = {}
    for kind, vectorizer in vectorizers.items():
        for ngram, start, end in ngram_spans(vectorizer, cleaned):
            spans.setdefault(f"{kind}__{ngram}", []).append((start, end))

    evidence = {outlet: float(values @ weights[outlet][columns]) for outlet in weights}
    explained = []
    for outlet in chosen:
        terms = values * weights[outlet][columns]
        contributions = [
            Contribution(
                feature=f"{kinds[j]}__{ngrams[j]}",
                kind=kinds[j],
                ngram=ngrams[j],
                type=ngram_type(kinds[j], ngrams[j]),
                value=float(v),
                weight=float(weights[outlet][j]),
                contribution=float(t),
                spans=spans.get(f"{kinds[j]}__{ngrams[j]}", []),
            )
            for j, v, t in zip(columns, values, terms, strict=True)
        ]
        contributions.sort(key=lambda c: (-c.contribution, c.feature))
        explained.append(
            OutletExplanation(
                outlet=outlet,
                score=prediction.scores[outlet],
                decision=intercepts[outlet] + evidence[outlet],
                intercept=intercepts[outlet],
                contributions=contributions,
            )
        )
    return TextExplanation(cleaned, prediction, explained, evidence, dict(intercepts))


# ---------------------------------------------------------------------------------------------
# The whole model


@dataclass(frozen=True)
class ProfileFeature:
    """One of an outlet's top features, with the evidence behind it."""

    feature: str
    kind: str
    ngram: str
    type: str
    weight: float
    documents: int | None = None
    stability: int | None = None
    example: str | None = None
    signature: bool | None = None

    @property
    def one_article(self) -> bool:
        """Whether only one of the outlet's training documents contains it."""
        return self.documents == 1


@dataclass(frozen=True)
class OutletProfile:
    """An outlet's strongest features and where its positive weight sits, by n-gram type."""

    outlet: str
    features: list[ProfileFeature]
    type_shares: dict[str, float]

    @property
    def style_share(self) -> float:
        return sum(self.type_shares.get(t, 0.0) for t in STYLE_TYPES)


@dataclass
class ModelExplanation:
    """Every outlet's profile, how many folds the stability counts came from, and notes."""

    outlets: list[OutletProfile]
    folds: int | None
    corpus: str | None
    mask: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        result = asdict(self)
        for profile, data in zip(self.outlets, result["outlets"], strict=True):
            data["style_share"] = profile.style_share
            for feature, item in zip(profile.features, data["features"], strict=True):
                item["one_article"] = feature.one_article
        return result


def explain_model(
    model: Model,
    *,
    top: int = 10,
    outlets: list[str] | None = None,
    corpus: Corpus | str | os.PathLike[str] | None = None,
    stability: bool = True,
    progress: Progress | None = None,
) -> ModelExplanation:
    """Each outlet's top features, typed, with an example, document count and fold stability.

    Parameters
    ----------
    model : Model
    top : int
        Features per outlet.
    outlets : list of str, optional
        Outlets to describe; all by default.
    corpus : Corpus or path, optional
        The training corpus, for examples, document counts and stability. By default the path
        saved in the model, if it still holds the same corpus (same fingerprint).
    stability : bool
        Count, over leave-one-out folds, how often each feature stays in the outlet's top
        ``top`` (one model fit per document).
    progress : callable, optional
        Called as ``progress(done, total)`` as the stability folds are fitted.
    """
    kinds, ngrams = feature_names(model)
    weights, _ = outlet_weights(model)
    chosen = _known_outlets(model, outlets or model.labels)
    notes: list[str] = []
    loaded = training_corpus_or_none(model, corpus, notes)
    mask = model.pipeline.named_steps["clean"].mask
    folds: int | None = None
    kept: dict[str, Counter[str]] = {}
    evidence = None
    if loaded is not None:
        cleaned = None
        if stability:
            folds, kept, cleaned = _stability(model, loaded, top, progress)
        evidence = _Evidence(model, loaded, cleaned)

    profiles = []
    for outlet in chosen:
        row = weights[outlet]
        order = np.argsort(-row, kind="stable")[:top]
        features = []
        for j in order:
            name = f"{kinds[j]}__{ngrams[j]}"
            documents = example = signature = None
            if evidence is not None:
                documents = evidence.documents(outlet, kinds[j], ngrams[j])
                example = evidence.example(outlet, kinds[j], ngrams[j])
                if mask == "none":
                    signature = evidence.is_signature(outlet, kinds[j], ngrams[j])
            features.append(
                ProfileFeature(
                    feature=name,
                    kind=kinds[j],
                    ngram=ngrams[j],
                    type=ngram_type(kinds[j], ngrams[j]),
                    weight=float(row[j]),
                    documents=documents,
                    stability=kept.get(outlet, Counter()).get(name, 0) if folds else None,
                    example=example,
                    signature=signature,
                )
            )
        profiles.append(OutletProfile(outlet, features, _type_shares(row, kinds, ngrams)))
    return ModelExplanation(
        profiles, folds, None if loaded is None else os.fspath(loaded.root), mask, notes
    )


def _type_shares(row: np.ndarray, kinds: list[str], ngrams: list[str]) -> dict[str, float]:
    positive = np.flatnonzero(row > 0)
    total = float(row[positive].sum()) or 1.0
    shares = dict.fromkeys(TYPES, 0.0)
    for j in positive:
        shares[ngram_type(kinds[j], ngrams[j])] += float(row[j]) / total
    return shares


def training_corpus_or_none(
    model: Model,
    corpus: Corpus | str | os.PathLike[str] | None = None,
    notes: list[str] | None = None,
) -> Corpus | None:
    """The model's training corpus: ``corpus`` if given (which must hold it: an error
    otherwise), else the path saved in the model if it still holds it, else None (and a note
    saying why appended to ``notes``).

    Raises
    ------
    CorpusError
        If ``corpus`` was given and cannot be loaded or is not the training corpus.
    """
    if isinstance(corpus, Corpus):
        return corpus
    if corpus is not None:  # asked for on purpose: a corpus that is not there is an error
        return model.training_corpus(corpus)
    try:
        return model.training_corpus()
    except CorpusError as error:
        if notes is not None:
            notes.append(f"no examples or stability: {error}")
        return None


def _known_outlets(model: Model, outlets: list[str]) -> list[str]:
    """``outlets``, if the model knows every one of them."""
    unknown = [o for o in outlets if o not in model.labels]
    if unknown:
        raise AttribError(
            f"the model knows no outlet {', '.join(unknown)}; it knows {', '.join(model.labels)}"
        )
    return outlets


def _stability(
    model: Model, corpus: Corpus, top: int, progress: Progress | None = None
) -> tuple[int, dict[str, Counter[str]], list[str]]:
    """For each outlet, in how many leave-one-out folds each feature is in its top ``top``.

    Also returns the cleaned texts it computed, so they need not be cleaned again.
    """
    from sklearn.base import clone
    from threadpoolctl import threadpool_limits

    labels = np.array(corpus.labels, dtype=object)
    cache = FoldFeatures(model.pipeline, corpus.texts)
    kept: dict[str, Counter[str]] = {outlet: Counter() for outlet in model.labels}
    everything = np.arange(len(labels))
    with threadpool_limits(limits=1, user_api="blas"):
        for held_out in everything:
            if progress is not None:
                progress(int(held_out), len(labels))
            train = everything[everything != held_out]
            if len(set(labels[train])) < 2:
                continue
            train_x, _, names = cache.fold_with_names(train, np.array([held_out]))
            classifier = clone(model.pipeline.named_steps["classifier"]).fit(train_x, labels[train])
            coef, _ = _per_class(classifier)
            for i, outlet in enumerate(str(c) for c in classifier.classes_):
                kept[outlet].update(names[j] for j in np.argsort(-coef[i], kind="stable")[:top])
    if progress is not None:
        progress(len(labels), len(labels))
    return len(labels), kept, cache.cleaned_


class _Evidence:
    """Looks up features in the training corpus, as the model read it (cleaned)."""

    def __init__(self, model: Model, corpus: Corpus, cleaned: list[str] | None = None) -> None:
        self.model = model
        self.corpus = corpus
        self.vectorizers = counters(model)
        if cleaned is None:
            cleaned = model.pipeline.named_steps["clean"].transform(corpus.texts)
        self.cleaned = cleaned
        self._counts: dict[tuple[str, int, bool], Counter[str]] = {}
        self._first: dict[tuple[str, int], dict[str, tuple[int, int]]] = {}

    def _count(self, kind: str, index: int, signatures_masked: bool = False) -> Counter[str]:
        key = (kind, index, signatures_masked)
        if key not in self._counts:
            text = self.cleaned[index]
            if signatures_masked:
                text = clean(self.corpus.texts[index], "signatures")
            self._counts[key] = Counter(self.vectorizers[kind].build_analyzer()(text))
        return self._counts[key]

    def _indices(self, outlet: str) -> list[int]:
        return [i for i, d in enumerate(self.corpus.documents) if d.label == outlet]

    def documents(self, outlet: str, kind: str, ngram: str) -> int:
        return sum(1 for i in self._indices(outlet) if self._count(kind, i)[ngram])

    def example(self, outlet: str, kind: str, ngram: str, width: int = 30) -> str | None:
        """A snippet of the first document of ``outlet`` where the feature occurs."""
        for i in self._indices(outlet):
            if not self._count(kind, i)[ngram]:
                continue
            text = self.cleaned[i]
            if (kind, i) not in self._first:
                first: dict[str, tuple[int, int]] = {}
                for found, start, end in ngram_spans(self.vectorizers[kind], text):
                    first.setdefault(found, (start, end))
                self._first[kind, i] = first
            if ngram in self._first[kind, i]:
                start, end = self._first[kind, i][ngram]
                snippet = f"{text[max(0, start - width) : start]}⟦{text[start:end]}⟧"
                snippet += text[end : end + width]
                return " ".join(snippet.replace("\n", "⏎").split())
        return None

    def is_signature(self, outlet: str, kind: str, ngram: str) -> bool:
        """Whether masking signatures removes most of the feature's occurrences in ``outlet``."""
        raw = sum(self._count(kind, i)[ngram] for i in self._indices(outlet))
        indices = self._indices(outlet)
        masked = sum(self._count(kind, i, signatures_masked=True)[ngram] for i in indices)
        return raw > 0 and masked * 2 < raw
