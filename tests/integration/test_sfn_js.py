"""The AWS SDK for JavaScript v3 (@aws-sdk/client-sfn) against a real weft
server: runs js/sfn.mjs (activity worker, describe, history with the SDK's
paginator, ListExecutions, StartSyncExecution with disableHostPrefix, a
modelled fault). Installs js/node_modules with `npm ci` when absent; skips
when node or npm is missing."""

import unittest

from jskit import JsSdkCase
from sfnkit import SfnTestCase


class JsSdkTest(JsSdkCase, SfnTestCase):

    def test_client_sfn(self):
        self.run_script("sfn.mjs")


if __name__ == "__main__":
    unittest.main()
