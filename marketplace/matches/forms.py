"""The forms behind the match buttons and the deal room. Parsing only: the
lifecycle and the offer services decide what is allowed."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from marketplace.trade.forms import MoneyField, WholeNumberField
from marketplace.web.forms import Form


class ActionForm(Form):
    """A button with nothing to say but its CSRF token."""


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"))


class OptionalReasonForm(Form):
    reason = TextAreaField(_l("Reason (optional)"))


class OfferForm(Form):
    """New terms for an approved match; the service checks them."""
    quantity = WholeNumberField(_l("Quantity"))
    unit_price = MoneyField(_l("Price per unit (VND)"))
    deliver_by = DateField(_l("Deliver by"), validators=[Optional()])
    note = TextAreaField(_l("Note (optional)"))


class SupplyOfferForm(Form):
    """A producer's offer on an open order, from one of its listings."""
    listing_id = SelectField(_l("From my listing"), coerce=int, validate_choice=False)
    quantity = WholeNumberField(_l("Quantity"))
    unit_price = MoneyField(_l("Price per unit (VND)"))
    note = TextAreaField(_l("Note (needed if the price is above the buyer's highest)"))


class RequestForm(Form):
    """A distributor's request for a listing, against one of its open orders."""
    order_id = SelectField(_l("For my order"), coerce=int, validate_choice=False)
    quantity = WholeNumberField(_l("Quantity"))


class MessageForm(Form):
    """A message in a match's thread; the service checks its length."""
    text = TextAreaField(_l("Your message"))


class HideForm(Form):
    reason = TextAreaField(_l("Why hide it (the parties read this)"))


class ShipmentForm(Form):
    quantity = WholeNumberField(_l("Quantity shipped"))
    shipped_on = DateField(_l("Shipped on"), validators=[Optional()])
    carrier = StringField(_l("Carrier (optional)"))
    tracking = StringField(_l("Tracking number or note (optional)"))
    lots = SelectMultipleField(_l("Lots in this shipment (optional)"), coerce=int, validate_choice=False)


class ReceiptForm(Form):
    received_quantity = WholeNumberField(_l("Quantity received"))


class RatingForm(Form):
    stars = SelectField(_l("Stars"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)])
    comment = TextAreaField(_l("Comment (optional)"))
