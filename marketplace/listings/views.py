from marketplace.listings import bp  # noqa: F401
