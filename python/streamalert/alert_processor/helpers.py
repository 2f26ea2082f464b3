"""``compose_alert``, where StreamAlert's outputs import it from (compat 7.4)."""
from streamalert.shared.publisher import compose_alert  # noqa: F401  (re-export)

__all__ = ['compose_alert']
