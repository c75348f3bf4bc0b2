"""The report's figures agree with references: the confusion matrix and per-class precision,
recall and F1 with scikit-learn's on the same predictions, the expected calibration error with a
direct computation over its bins."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from runner.report import scores


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 12), st.integers(1, 300), st.integers(0, 2**31 - 1))
def test_confusion_and_per_class_agree_with_scikit_learn(classes, n, seed):
    rng = np.random.default_rng(seed)
    labels, predicted = rng.integers(0, classes, n), rng.integers(0, classes, n)
    counts = scores.confusion(labels, predicted, classes)
    assert (counts == confusion_matrix(labels, predicted, labels=range(classes))).all()
    ours = scores.per_class(counts)
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=range(classes), zero_division=0
    )
    np.testing.assert_allclose(ours.precision, precision)
    np.testing.assert_allclose(ours.recall, recall)
    np.testing.assert_allclose(ours.f1, f1)
    assert (ours.support == support).all()


def reference_ece(labels, probabilities, bins):
    """ECE as defined: bins (i/B, (i+1)/B], sum of |accuracy - confidence| weighted by the share."""
    confidence, predicted = probabilities.max(1), probabilities.argmax(1)
    total = 0.0
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        inside = [j for j in range(len(labels)) if low < confidence[j] <= high]
        if inside:
            accuracy = np.mean([predicted[j] == labels[j] for j in inside])
            total += abs(accuracy - np.mean(confidence[inside])) * len(inside) / len(labels)
    return total


@pytest.mark.parametrize("seed", range(5))
def test_expected_calibration_error_agrees_with_a_direct_computation(seed):
    rng = np.random.default_rng(seed)
    probabilities = scores.softmax(rng.normal(0, 3, (400, 7)))
    labels = rng.integers(0, 7, 400)
    ours = scores.calibration(labels, probabilities, bins=15)
    assert ours.ece == pytest.approx(reference_ece(labels, probabilities, 15), abs=1e-12)
    assert ours.count.sum() == 400


def test_a_perfect_and_confident_classifier_is_calibrated():
    labels = np.arange(10) % 3
    probabilities = np.eye(3)[labels]
    assert scores.calibration(labels, probabilities).ece == 0.0


def test_top_confusions_count_the_most_frequent_mistakes_first():
    counts = np.array([[5, 3, 0], [1, 4, 7], [0, 0, 9]])
    assert scores.top_confusions(counts) == [(1, 2, 7), (0, 1, 3), (1, 0, 1)]
