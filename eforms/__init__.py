"""Project-wide root: the version and the root error every package builds on.

Every top-level package (``schemas``, ``forms_builder``, ``signing``,
``dossiers``, ``archive``, ``storage``, ``portal``) may import this one;
it imports nothing of ours.
"""

from eforms.errors import EformsError

__all__ = ["EformsError", "__version__"]

__version__ = "0.1.0"
