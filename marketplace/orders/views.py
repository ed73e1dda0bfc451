from marketplace.orders import bp  # noqa: F401
