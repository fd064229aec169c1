"""portal-eval: grades Vietnamese public-service portals on the ministry's rubric."""

import warnings

__version__ = "0.1.0"

# dnspython (the DNSSEC probe, gather/transport.py) defines its DSA key classes at import, and
# cryptography >= 47 deprecates DSA with a warning on every such import: it would be printed on
# stderr by every command and break the one-line errors. Only that warning, only from dnspython.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"dns\.")
