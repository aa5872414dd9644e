"""The AWS SDK for JavaScript v3 (@aws-sdk/client-sfn) against a real weft
server: runs js/sfn.mjs (activity worker, describe, history with the SDK's
paginator, ListExecutions, StartSyncExecution with disableHostPrefix, a
modelled fault). Installs js/node_modules with `npm ci` when absent; skips
when node or npm is missing."""

import os
import shutil
import subprocess
import unittest

from sfnkit import SfnTestCase

JS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")


class JsSdkTest(SfnTestCase):

    @classmethod
    def setUpClass(cls):
        cls.node, cls.npm = shutil.which("node"), shutil.which("npm")
        if not cls.node or not cls.npm:
            raise unittest.SkipTest("node/npm not found on PATH: the JS SDK test needs Node.js")
        if not os.path.isdir(os.path.join(JS_DIR, "node_modules", "@aws-sdk", "client-sfn")):
            proc = subprocess.run([cls.npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR,
                                  capture_output=True, text=True, timeout=300)
            if proc.returncode != 0:
                raise AssertionError("npm ci failed in %s:\n%s%s"
                                     % (JS_DIR, proc.stdout[-3000:], proc.stderr[-3000:]))
        super().setUpClass()

    def test_client_sfn(self):
        env = dict(os.environ, WEFT_URL=self.server.url)
        for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
            env.pop(var, None)
        proc = subprocess.run([self.node, "sfn.mjs"], cwd=JS_DIR, env=env,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, "sfn.mjs failed:\nstdout: %s\nstderr: %s"
                         % (proc.stdout[-3000:], proc.stderr[-5000:]))
        self.assertIn('"ok":true', proc.stdout)


if __name__ == "__main__":
    unittest.main()
