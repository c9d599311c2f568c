"""The figures: weekly totals under the privacy rules, trends, drivers, export, comment words."""
