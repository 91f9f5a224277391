"""The site kit: what every sandbox site is built with, so that a site keeps only its pages.

* :mod:`.web`: :class:`SiteKit` (the signed-in user, rendering with the site's templates,
  redirects with messages, login-required and read-only guards, error pages, the app) and the
  request helpers (:func:`db`, the tenant's database; :func:`referer_path`, :func:`local_path`,
  :func:`site_url`, :func:`static_file`, :func:`not_found`).
* :mod:`.forms`: :func:`read_form` (size limits) and :class:`Form`; :func:`drops_blank_params`.
* :mod:`.flash`: one-shot messages across a redirect (a cookie per site).
* :mod:`.paging`: :class:`Pagination` of long listings; :func:`query_int`.
* :mod:`.formats`: the value formats templates use as filters (money, dates, JSON columns).
"""

from __future__ import annotations

from webarena_gym.sandbox.common.flash import Message, clear_flash, flash, take_flash
from webarena_gym.sandbox.common.formats import (
    date_long,
    date_short,
    datetime_long,
    json_list,
    money,
    options_dict,
)
from webarena_gym.sandbox.common.forms import (
    MAX_FORM_BYTES,
    MAX_FORM_FIELDS,
    Form,
    drops_blank_params,
    read_form,
)
from webarena_gym.sandbox.common.paging import Pagination, query_int
from webarena_gym.sandbox.common.web import (
    Endpoint,
    ErrorPage,
    SignIn,
    SiteKit,
    db,
    local_path,
    make_templates,
    not_found,
    referer_path,
    site_url,
    static_file,
)

__all__ = [
    "MAX_FORM_BYTES", "MAX_FORM_FIELDS", "Endpoint", "ErrorPage", "Form", "Message",
    "Pagination", "SignIn", "SiteKit", "clear_flash", "date_long", "date_short",
    "datetime_long", "db", "drops_blank_params", "flash", "json_list", "local_path",
    "make_templates", "money", "not_found", "options_dict", "query_int", "read_form",
    "referer_path", "site_url", "static_file", "take_flash",
]
