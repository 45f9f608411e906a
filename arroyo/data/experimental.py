"""`tf.data.experimental`: the constants and helpers TF keeps there."""

from arroyo.data.dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset

__all__ = [
    "AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "cardinality",
    "sample_from_datasets", "choose_from_datasets", "assert_cardinality", "ignore_errors",
]  # fmt: skip


def cardinality(dataset):
    """`dataset.cardinality()` (the older spelling)."""
    return dataset.cardinality()


sample_from_datasets = Dataset.sample_from_datasets
choose_from_datasets = Dataset.choose_from_datasets


def assert_cardinality(expected_cardinality):
    """A transformation (for `apply`) that keeps the dataset; arroyo checks the count."""

    def apply(ds):
        n = ds._cardinality()
        want = int(expected_cardinality)
        if n >= 0 and n != want:
            from arroyo.framework.errors import FailedPreconditionError

            raise FailedPreconditionError(
                None, None, f"Input dataset was expected to contain {want} elements but "
                f"contained {n}."
            )  # fmt: skip
        return ds

    return apply


def ignore_errors(log_warning=False):
    return lambda ds: ds.ignore_errors(log_warning)
