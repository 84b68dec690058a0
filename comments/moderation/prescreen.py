"""The abuse pre-screen: a score from 0 to 1 for how abusive a comment reads.

The model is alt-profanity-check's (a TF-IDF vectoriser and a calibrated linear
SVM trained on tens of thousands of labelled posts), shipped inside the package:
it runs in this process, with no network call and nothing downloaded at run time.

The package's own predict_prob() asks scikit-learn's CalibratedClassifierCV for
probabilities, which costs about 4 ms a comment in input checks around five tiny
dot products. Its five folds are linear models with a sigmoid each, so we fold
them into one matrix once and score a comment with one sparse product: the same
numbers (tests/comments/test_prescreen.py compares them), in a fraction of the time.
"""

from functools import cache

# The score the rule holds at unless a moderator sets another (the evaluation in
# bench/prescreen.py reports precision and recall at this value).
DEFAULT_THRESHOLD = 0.80


class _Model:
    def __init__(self):
        import numpy
        import sklearn
        from profanity_check import profanity_check

        calibrated = profanity_check.model.calibrated_classifiers_
        self.vectorizer = profanity_check.vectorizer
        # One column per fold: its SVM weights, intercept and sigmoid calibration.
        self.weights = numpy.hstack([fold.estimator.coef_.T for fold in calibrated])
        self.intercepts = numpy.array([fold.estimator.intercept_[0] for fold in calibrated])
        self.slopes = numpy.array([fold.calibrators[0].a_ for fold in calibrated])
        self.offsets = numpy.array([fold.calibrators[0].b_ for fold in calibrated])
        self.numpy = numpy
        self.sklearn = sklearn

    def scores(self, texts: list[str]) -> list[float]:
        np = self.numpy
        # Word counts of text are finite and the vectoriser's parameters were checked
        # when it was trained: skipping both checks saves a quarter of a comment's score.
        with self.sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            counts = self.vectorizer.transform(texts)
        decision = counts @ self.weights + self.intercepts
        probability = 1 / (1 + np.exp(self.slopes * decision + self.offsets))
        return [round(float(p), 4) for p in probability.mean(axis=1)]


@cache
def _model() -> _Model:
    return _Model()


def warm() -> None:
    """Load the model now (about a second), rather than on the first comment posted:
    gunicorn's master calls this before forking, so every worker shares one copy."""
    _model()


def score(text: str) -> float:
    """How abusive the text reads, from 0 (not at all) to 1."""
    return _model().scores([text])[0]


def scores(texts: list[str]) -> list[float]:
    """score() for many texts at once (evaluation, backfills)."""
    return _model().scores(list(texts)) if texts else []
