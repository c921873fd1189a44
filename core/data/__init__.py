"""Datasets: built-in synthetic faces and sklearn digits, and readers for real on-disk layouts
(Fashion-MNIST's idx files among them).

Each dataset registers itself in ``DATASETS`` from its own module; importing this package
imports them all.
"""

import core.data.celeba  # noqa: F401
import core.data.cifar10  # noqa: F401
import core.data.digits  # noqa: F401
import core.data.fairface  # noqa: F401
import core.data.fashion_mnist  # noqa: F401
import core.data.folder  # noqa: F401
import core.data.mucac  # noqa: F401
import core.data.mufac  # noqa: F401
import core.data.synthfaces  # noqa: F401
from core.data.source import DATASETS, DataError, DatasetSource, load_dataset
from core.data.table import ImageTable

__all__ = ["DATASETS", "DataError", "DatasetSource", "ImageTable", "load_dataset"]
