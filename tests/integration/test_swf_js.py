"""The AWS SDK for JavaScript v3 (@aws-sdk/client-swf) against a real weft
server: runs js/swf.mjs (a parent decider starting a child workflow and
signalling it, the child completing with the signal's input, the parent with
the child's result; the history through the SDK's paginator; a modelled
fault). Installs js/node_modules with `npm ci` when absent; skips when node or
npm is missing."""

import unittest

from jskit import JsSdkCase
from weftserver import ServerTestCase


class SwfJsSdkTest(JsSdkCase, ServerTestCase):

    def test_client_swf(self):
        self.skip_on_moto("child workflows")
        self.run_script("swf.mjs")


if __name__ == "__main__":
    unittest.main()
