"""Renderers of a :class:`~tandem.diagnosis.models.Diagnosis`: JSON, Markdown chunks, HTML, PDF, PNG card."""
