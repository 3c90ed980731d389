"""Report sections (HTML) and charts: what the notebooks display and the build publishes."""

from selfeval_kit.report.sections import AnnualReport, Html, ProjectReport

__all__ = ["AnnualReport", "Html", "ProjectReport"]
