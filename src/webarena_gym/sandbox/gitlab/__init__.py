"""The ``gitlab`` sandbox site: code hosting like WebArena's GitLab.

* :mod:`.app`: the Starlette app and its URL map; :mod:`.projects` and :mod:`.issues` hold the
  project and issue/merge request pages, :mod:`.web` the request plumbing.
* :mod:`.generate`: the seeded ``gitlab`` database (``schema.sql``; every table is ``gl_*``),
  drawing words from :mod:`.vocab` and repositories from :mod:`.repos`.
* :mod:`.queries`: access, counts, filters and search, shared by the app and the task samplers.
"""
