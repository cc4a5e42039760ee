"""The reference point for dereference throughput: a bare Flask route serving a static string."""

from flask import Flask

app = Flask(__name__)


@app.route("/", defaults={"anything": ""})  # the landing page's counterpart
@app.route("/<path:anything>")
def static_string(anything: str) -> str:
    return "ok"
