"""The baseline of benchmarks/load.py: a hello-world Flask route, nothing else."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"
