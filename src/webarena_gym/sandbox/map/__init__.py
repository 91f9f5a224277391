"""The ``map`` sandbox site: places, search and directions like WebArena's OpenStreetMap.

* :mod:`~webarena_gym.sandbox.map.generate`: the seeded towns, road graph and places (the
  store's addresses included).
* :mod:`~webarena_gym.sandbox.map.routing`: A* routes by car, bike and foot, with steps.
* :mod:`~webarena_gym.sandbox.map.places`: search and name resolution.
* :mod:`~webarena_gym.sandbox.map.app`: the Starlette app (text pages, no tiles).
"""
