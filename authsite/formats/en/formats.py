"""English date and time formats: "Dec 6, 2026, 9:15 PM"."""

DATETIME_FORMAT = "M j, Y, g:i A"
TIME_FORMAT = "g:i A"
