"""Business calendars: opening hours, working days, holidays, business-time arithmetic."""
