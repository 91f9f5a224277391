"""The ``gitlab`` sandbox site (GitLab-like code hosting). Skeleton: being built for issue 6."""
