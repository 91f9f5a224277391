"""The ``reddit`` sandbox site (Postmill-like forum). Skeleton: being built for issue 6."""
