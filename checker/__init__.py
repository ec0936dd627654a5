"""plancheck: compliance and alignment checker for Vietnamese commune plans."""

__version__ = "0.1.0"
