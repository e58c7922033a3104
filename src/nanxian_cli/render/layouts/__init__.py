"""How each report reads in Chinese and English: its title, meta lines, section titles, column headers and
totals labels. Each layout takes the report's JSON data (render/data.py) and returns a `Document`."""
