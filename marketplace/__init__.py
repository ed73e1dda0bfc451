"""CungCầu. Nearly empty on purpose: importing ``marketplace.matching`` must not
pull in Flask."""
