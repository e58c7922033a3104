"""nanxian: checklists, school visits, findings and reports for county school supervisors."""

__version__ = "0.1.0"
