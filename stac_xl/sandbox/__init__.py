"""A local stand-in for the ServiceTrade API, with generated data and switchable faults.

It is not ServiceTrade and says so. Use it to try stac_xl without an account and to test
the client against slow answers, 503s, 429s, expired sessions and broken JSON::

    data = SandboxData.generate(invoices=500, seed=1, today=date(2024, 3, 15))
    with Sandbox(data, FaultConfig(error_rate=0.1)) as sb:
        url = sb.start()  # point the client at url, log in as demo/demo
"""

from stac_xl.sandbox.data import SandboxData
from stac_xl.sandbox.faults import FaultConfig
from stac_xl.sandbox.server import Sandbox, serve

__all__ = ["FaultConfig", "Sandbox", "SandboxData", "serve"]
