"""Every write of the billing domain, split by sub-domain: pricing (tariffs, quotients),
numbering (gapless counters), invoicing (the monthly run), credit_notes, payments,
reminders. Functions are keyword-only, typed, take the acting user and run in a transaction."""


class BillingError(Exception):
    """A refused billing operation, with a French message for the agent or the family."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code
