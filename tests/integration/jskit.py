"""The AWS SDK for JavaScript v3 scripts of js/ (run against a real weft
server): JsSdkCase installs js/node_modules with `npm ci` (from the lock file)
when a package the scripts import is missing, skips when node or npm is
missing, and run_script() runs one script with $WEFT_URL set."""

import os
import shutil
import subprocess
import unittest

JS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")
PACKAGES = ("client-sfn", "client-swf")


class JsSdkCase:
    """Mixin for a ServerTestCase."""

    @classmethod
    def setUpClass(cls):
        cls.node, cls.npm = shutil.which("node"), shutil.which("npm")
        if not cls.node or not cls.npm:
            raise unittest.SkipTest("node/npm not found on PATH: the JS SDK tests need Node.js")
        missing = [p for p in PACKAGES
                   if not os.path.isdir(os.path.join(JS_DIR, "node_modules", "@aws-sdk", p))]
        if missing:
            proc = subprocess.run([cls.npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR,
                                  capture_output=True, text=True, timeout=300)
            if proc.returncode != 0:
                raise AssertionError("npm ci failed in %s:\n%s%s"
                                     % (JS_DIR, proc.stdout[-3000:], proc.stderr[-3000:]))
        super().setUpClass()

    def run_script(self, script, timeout=120):
        """Runs js/<script> with WEFT_URL; asserts it exits 0 and prints ok."""
        env = dict(os.environ, WEFT_URL=self.server.url)
        for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
            env.pop(var, None)
        proc = subprocess.run([self.node, script], cwd=JS_DIR, env=env,
                              capture_output=True, text=True, timeout=timeout)
        self.assertEqual(proc.returncode, 0, "%s failed:\nstdout: %s\nstderr: %s"
                         % (script, proc.stdout[-3000:], proc.stderr[-5000:]))
        self.assertIn('"ok":true', proc.stdout)
        return proc.stdout
