"""Paid seats: Stripe's API (``stripe_api``), its webhook signatures (``signatures``) and
amounts in a currency's minor unit (``money``). The hold, offer and refund rules build on
these."""
