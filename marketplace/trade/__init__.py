"""What listings and demand orders share, so that neither area imports the
other: input checks (``checks``), the catalogue's and the board's filters
(``browse``), form pieces (``forms``), the certification rows' sync
(``certifications``) and the one loader that authorises a change
(``access``). ``listings/`` and ``orders/`` stay two packages, with no base
class forced on them.
"""
