"""Network models in index notation: the slides' single-layer net, MLPs, and objectives for ``optim``.

Example:
    >>> from einsteinpy_lite.nets import gradients
    >>> gradients.single_layer().f.free
    (^i,)
"""

from . import classifier, gradients, objective

__all__ = ["gradients", "objective", "classifier"]
