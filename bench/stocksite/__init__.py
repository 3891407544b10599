"""A stock Django site, the baseline ``make bench`` compares the dashboard with."""
