"""The ``map`` sandbox site (OpenStreetMap-like map). Skeleton: being built for issue 6."""
