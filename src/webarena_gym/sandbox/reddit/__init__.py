"""The ``reddit`` sandbox site: a Postmill-like forum (WebArena's "reddit").

* :mod:`.app`: the Starlette app (``create_app``), Postmill's URLs, templates beside it.
* :mod:`.rules`: listing order, search, votes and "now", shared by the site and the samplers.
* :mod:`.generate`: the seeded ``forum`` database (``generate_forum``); :mod:`.vocab` its words.
"""
