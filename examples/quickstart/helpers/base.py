"""Helpers the older StreamAlert docs import as `helpers.base` (user-owned, like StreamAlert's
rules/helpers/base.py): they re-export vigil's implementations."""
from streamalert.shared.normalize import fetch_values_by_datatype  # noqa: F401
from streamalert.shared.utils import get_first_key, get_keys, in_network, valid_ip  # noqa: F401
