"""Tandem: A-share market data, diagnosis, retail quant and fund advisory platform."""

__version__ = "0.1.0"
