"""Array-library dispatch: which namespace an array belongs to.

Nothing here imports torch, jax, cupy or dask at import time; the namespace is
found from the array's type through ``array_api_compat`` (numpy by default).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["namespace", "is_numpy"]


def is_numpy(x: Any) -> bool:
    """True for numpy arrays and Python/numpy scalars.

    Example:
        >>> import numpy as np
        >>> is_numpy(np.ones(2)), is_numpy(2.0), is_numpy([1.0])
        (True, True, False)
    """
    return isinstance(x, (np.ndarray, np.generic, float, int, complex))


def namespace(*arrays: Any) -> Any:
    """The array-API namespace of ``arrays`` (numpy for numpy arrays and scalars).

    Example:
        >>> import numpy as np
        >>> namespace(np.ones(2)).__name__
        'numpy'
    """
    arrs = [a for a in arrays if not is_numpy(a)]
    if not arrs:
        return np
    import array_api_compat

    return array_api_compat.array_namespace(*arrs)
