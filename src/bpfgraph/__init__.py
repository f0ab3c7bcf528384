"""bpfgraph: the ISO/IEC 30145-1 smart city business process framework as linked data."""

__version__ = "0.1.0"
