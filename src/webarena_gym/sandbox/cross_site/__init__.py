"""Task templates that span sites (:mod:`.tasks`): facts read on one site, reached by
following a link that it shows to another (a forum post to the shop, the admin to the store)."""
