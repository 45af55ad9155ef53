"""Run the E-ARK validator on package folders; print one JSON report per line.

Runs inside the separate virtual environment that holds ``eark-validator``
(it pins an old lxml). The validator downloads four vocabularies when it is
imported; they are served from the copies it bundles, so nothing leaves the
machine. Usage: ``python eark_runner.py PACKAGE_DIR...``.
"""

import io
import json
import sys
import urllib.request
from importlib import resources
from pathlib import Path


def _bundled_vocabulary(url, *args, **kwargs):
    name = str(url).rsplit("/", 1)[-1]
    folder = resources.files("eark_validator.ipxml.resources.vocabs")
    return io.BytesIO(folder.joinpath(name).read_bytes())


urllib.request.urlopen = _bundled_vocabulary

from eark_validator.packages import PackageValidator  # noqa: E402
from eark_validator.specifications.specification import SpecificationVersion  # noqa: E402


def _messages(results):
    out = []
    for result in results or []:
        out.append(
            {
                "rule": getattr(result, "rule_id", ""),
                "severity": str(getattr(result, "severity", "")),
                "message": getattr(result, "message", ""),
                "location": str(getattr(result, "location", "")),
            }
        )
    return out


def main(paths):
    for path in paths:
        report = PackageValidator(Path(path), SpecificationVersion.V2_1_0).validation_report
        structure = _messages(report.structure.messages if report.structure else [])
        schema, schematron = [], []
        if report.metadata is not None:
            schema = _messages(report.metadata.schema_results.messages)
            schematron = _messages(report.metadata.schematron_results.messages)
        everything = structure + schema + schematron
        print(
            json.dumps(
                {
                    "path": str(path),
                    "errors": [m for m in everything if m["severity"].lower().endswith("error")],
                    "warnings": [
                        m for m in everything if m["severity"].lower().endswith("warning")
                    ],
                }
            )
        )


if __name__ == "__main__":
    main(sys.argv[1:])
