"""Report sections (HTML) and charts: what the notebooks display and the build publishes."""

from selfeval_kit.report.sections import SEVERITY_ORDER, AnnualReport, Html, ProjectReport, render_index

__all__ = ["SEVERITY_ORDER", "AnnualReport", "Html", "ProjectReport", "render_index"]
