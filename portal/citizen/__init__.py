"""The citizen's side: procedures, filling a form, drafts, attachments, submission, receipt.

Each view parses the request, calls the Flask-free services in
``forms_builder`` and ``dossiers``, and renders. See ``docs/citizen.md``.
"""

from portal.citizen import data_store as _data_store  # noqa: F401  (registers its views)
from portal.citizen.views import bp, home_context

__all__ = ["bp", "home_context"]
