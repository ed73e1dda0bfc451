"""The web layer: every word and number a page, an e-mail or an API message
shows. Labels for stored codes (``labels``), formats for money, days, moments,
durations and percentages in the reader's locale (``formats``), sentences
built from values (``phrases``), the base form and its validators
(``forms``), the language choice (``i18n``), and ``templating``, which
registers all of them once for the templates.
"""
